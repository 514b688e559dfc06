"""Migration 0009 (links, answers, timeline, opt-out) goes down and up again with data."""

from __future__ import annotations

import asyncio

from app.cli import run_migrations as migrate
from app.state import AppState
from tests.migrations.test_migration_0006 import rows
from tests.scenario import Scenario


async def test_0009_down_and_up_with_alerts_paged(scenario: Scenario, state: AppState) -> None:
    await scenario.team()
    await scenario.alert()
    await scenario.settle()
    assert len(await rows(state, "SELECT id FROM recipient_link")) == 1
    # received, triaged, paged
    assert len(await rows(state, "SELECT seq FROM alert_event")) == 3

    await state.engine.dispose()
    await asyncio.to_thread(migrate, state.settings, "0008", down=True)
    [(token,)] = await rows(state, "SELECT link_token FROM escalation_state")
    assert len(token) == 12 and token.isalnum(), "the old column gets a token back"

    await state.engine.dispose()
    await asyncio.to_thread(migrate, state.settings, "head")
    assert await rows(state, "SELECT id FROM recipient_link") == []
    [(tell,)] = await rows(
        state, "SELECT tell_others_when_taken FROM team WHERE name = 'Ressursteam overdose'"
    )
    assert tell in (True, 1), "existing teams tell the others by default"
    assert (
        await rows(state, "SELECT sms_opted_out_at FROM member WHERE sms_opted_out_at IS NOT NULL")
        == []
    )
