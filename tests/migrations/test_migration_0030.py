"""Migration 0030: `alert_fact` holds the anonymous facts; the downgrade drops it (the worker's
statistics engine fills it again from the alerts), and the upgrade brings it back empty."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.statistics.facts import refresh_facts
from tests.migrations.test_migration_0006 import rows
from tests.migrations.test_migration_0018 import migrated
from tests.scenario import Scenario


async def test_0030_adds_the_facts_and_drops_them_again(scenario: Scenario) -> None:
    await scenario.team()
    alert_id = await scenario.alert(ago=timedelta(minutes=5))
    async with scenario.state.sessions() as session, session.begin():
        assert await refresh_facts(session, [alert_id], cipher=scenario.state.cipher) == 1
    assert await rows(scenario.state, "SELECT month FROM alert_fact") == [("2026-11",)]

    await migrated(scenario.state, "0029", down=True)
    with pytest.raises(Exception, match="alert_fact"):
        await rows(scenario.state, "SELECT month FROM alert_fact")

    await migrated(scenario.state, "head")
    assert await rows(scenario.state, "SELECT month FROM alert_fact") == []
    async with scenario.state.sessions() as session, session.begin():
        assert await refresh_facts(session, [alert_id], cipher=scenario.state.cipher) == 1
    assert await rows(scenario.state, "SELECT kind FROM alert_fact") == [("non_fatal",)]
