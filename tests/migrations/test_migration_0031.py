"""Migration 0031: alerts gain `purged_at`, cases `retention_flagged_at`, and the tables of the
log, the municipalities' periods and the gate; the access log's triggers let retention fill in
a missing hash and delete past a gate's cutoff. The downgrade drops them and makes the access
log strictly append-only again."""

from __future__ import annotations

import pytest

from app.state import AppState
from tests.migrations.test_migration_0006 import rows
from tests.migrations.test_migration_0018 import migrated
from tests.migrations.test_migration_0029 import execute
from tests.retention.harness import DAYS, close, desk, opened, retention_pass
from tests.scenario import Scenario

GATE = "INSERT INTO retention_gate (access_log_before) VALUES ('2100-01-01 00:00:00.000000')"


async def test_0031_adds_retention_and_takes_it_away_again(
    scenario: Scenario, state: AppState
) -> None:
    await desk(scenario)
    _, case_id = await opened(scenario)
    await close(scenario, case_id)
    await migrated(state, "0030", down=True)
    with pytest.raises(Exception, match="purged_at"):
        await rows(state, "SELECT purged_at FROM alert")
    with pytest.raises(Exception, match="retention_run"):
        await rows(state, "SELECT * FROM retention_run")
    with pytest.raises(Exception, match="append-only"):
        await execute(state, "DELETE FROM access_log_entry")

    await migrated(state, "head")
    assert await rows(state, "SELECT purged_at FROM alert") == [(None,)]
    assert await rows(state, "SELECT retention_flagged_at FROM followup_case") == [(None,)]
    with pytest.raises(Exception, match="append-only"):
        await execute(state, "DELETE FROM access_log_entry")
    scenario.advance(90 * DAYS)
    await retention_pass(state)
    assert len(await rows(state, "SELECT * FROM retention_run")) >= 1
    assert await rows(state, "SELECT count(*) FROM alert WHERE purged_at IS NOT NULL") == [(1,)]

    await migrated(state, "0030", down=True)
    with pytest.raises(Exception, match="append-only"):
        await execute(state, "DELETE FROM access_log_entry")
    await migrated(state, "head")
    await execute(state, GATE)  # entries older than a gate's cutoff may go
    await execute(state, "DELETE FROM access_log_entry")
    assert await rows(state, "SELECT count(*) FROM access_log_entry") == [(0,)]
