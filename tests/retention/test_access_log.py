"""The access log outlives the alerts it is about (default five years), then goes too; only
retention may delete it, and only what is older than the cutoff it declares."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.retention.rules import Category
from app.state import AppState
from tests.personal_data import log_rows
from tests.retention.harness import DAYS, close, desk, opened, retention_pass
from tests.scenario import Scenario


async def test_the_access_log_goes_after_its_own_period_and_only_through_retention(
    scenario: Scenario, state: AppState
) -> None:
    await desk(scenario)
    _, case_id = await opened(scenario)
    await close(scenario, case_id)
    entries = len(await log_rows(state))
    assert entries >= 1
    scenario.advance(1825 * DAYS)
    done = await retention_pass(state)
    assert (done[Category.CASE], done[Category.ACCESS_LOG]) == (1, 0)
    assert len(await log_rows(state)) == entries, "the alert is purged, its access log kept"
    with pytest.raises(Exception, match="append-only"):
        async with state.engine.begin() as connection:
            await connection.execute(text("DELETE FROM access_log_entry"))

    scenario.advance(1 * DAYS)
    assert (await retention_pass(state))[Category.ACCESS_LOG] == entries
    assert await log_rows(state) == []
    async with state.engine.connect() as connection:
        gates = await connection.execute(text("SELECT count(*) FROM retention_gate"))
        assert gates.scalar_one() == 0, "the gate closes with the transaction that used it"
