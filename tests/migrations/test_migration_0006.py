"""Migration 0006 carries existing outbox and escalation rows over (and back)."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from sqlalchemy import text

from app.cli import run_migrations as migrate
from app.state import AppState
from tests.scenario import Scenario


async def rows(state: AppState, sql: str) -> list[Any]:
    async with state.engine.connect() as connection:
        return list((await connection.execute(text(sql))).all())


def as_uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


async def test_outbox_and_escalation_rows_survive_0006_both_ways(
    scenario: Scenario, state: AppState
) -> None:
    await scenario.team()
    alert_id = await scenario.alert()
    await scenario.settle()
    [(raw_id, context)] = await rows(state, "SELECT id, context FROM outbox_message")
    message_id = as_uuid(raw_id)
    assert (json.loads(context) if isinstance(context, str) else context) == {"pass": 0, "step": 0}

    await state.engine.dispose()
    await asyncio.to_thread(migrate, state.settings, "0004", down=True)
    [old] = await rows(state, "SELECT id, alert_id, pass_index, step_index FROM outbox_message")
    assert (as_uuid(old[0]), as_uuid(old[1]), old[2], old[3]) == (message_id, alert_id, 0, 0)

    await state.engine.dispose()
    await asyncio.to_thread(migrate, state.settings, "0006")  # 0009 drops link_token again
    [new] = await rows(state, "SELECT subject_kind, subject_id, context FROM outbox_message")
    context = json.loads(new[2]) if isinstance(new[2], str) else new[2]
    assert (new[0], as_uuid(new[1]), context) == ("alert", alert_id, {"pass": 0, "step": 0})
    [(occurred, alert_occurred, token)] = await rows(
        state,
        "SELECT e.occurred_at, a.occurred_at, e.link_token FROM escalation_state e "
        "JOIN alert a ON a.id = e.alert_id",
    )
    assert occurred == alert_occurred, "copied from the alert"
    assert len(token) == 12 and token.isalnum()
    assert alert_id.hex[:12] not in token, "a new random token, not the alert id"
