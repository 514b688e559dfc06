"""Migration 0012 (alert version 2) goes down to the plain first-version columns and up again."""

from __future__ import annotations

import asyncio
import uuid

from app.alerts import sealing
from app.alerts.models import Alert
from app.cli import run_migrations as migrate
from app.state import AppState
from tests.factories import Factory, alert_body
from tests.migrations.test_migration_0006 import rows


async def test_0012_down_and_up_keeps_what_the_first_version_could_say(
    factory: Factory, state: AppState
) -> None:
    amk = await factory.api_client()
    body = alert_body(
        place={"type": "own_home"},
        consent={"state": "consented", "recipients": ["relatives"], "categories": None},
    )
    alert_id = uuid.UUID(await factory.post_alert(amk, body))

    await state.engine.dispose()
    await asyncio.to_thread(migrate, state.settings, "0011", down=True)
    [row] = await rows(
        state,
        "SELECT place_type, substances, naloxone_given, naloxone_doses, outcome FROM alert",
    )
    place_type, substances, given, doses, outcome = row
    assert place_type == "private_home"
    assert "opioid" in str(substances) and "benzodiazepine" in str(substances)
    assert (bool(given), doses, outcome) == (True, 2, "declined_transport")

    await state.engine.dispose()
    await asyncio.to_thread(migrate, state.settings, "head")
    async with state.sessions() as session:
        alert = await session.get(Alert, alert_id)
        assert alert is not None
        values = sealing.all_personal_values(state.cipher, alert)
    assert values["place.type"] == "own_home"
    assert values["clinical.substances"] == ["other_opioid", "benzodiazepine"]
    assert (values["naloxone.given"], values["naloxone.doses"]) == (True, 2)
    assert values["clinical.outcome"] == "declined_transport"
    assert alert.situation_sealed is not None and alert.acute_risk_sealed is not None
