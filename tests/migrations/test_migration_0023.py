"""Migration 0023: who gave the consent, and the consent as recorded where the rule for minors
made it count as another (docs/rules.md, "Minors"). Alerts stored before keep working; the
downgrade drops the two columns and keeps the consent that counted."""

from __future__ import annotations

from app.state import AppState
from tests.followup.test_followup_cases import desk
from tests.migrations.test_migration_0006 import rows
from tests.migrations.test_migration_0018 import migrated
from tests.scenario import Scenario

__all__ = ["desk"]

CONSENT = "SELECT consent_state, consent_given_by, consent_recorded_state FROM alert"
CHILD = {"state": "consented", "recipients": ["relatives"], "given_by": "person"}


async def columns(state: AppState) -> list[str]:
    async with state.engine.connect() as connection:
        result = await connection.exec_driver_sql("SELECT * FROM alert")
        return list(result.keys())


async def test_0023_adds_and_drops_the_consent_columns(desk: Scenario) -> None:
    state = desk.state
    child = await desk.alert(person={"age_band": "12_15"}, consent=CHILD)
    adult = await desk.alert(consent={"state": "consented"})
    assert sorted(await rows(state, CONSENT)) == [
        ("consented", None, None),
        ("not_asked", "person", "consented"),
    ]

    await migrated(state, "0022", down=True)
    assert {"consent_given_by", "consent_recorded_state"}.isdisjoint(await columns(state))
    assert sorted(await rows(state, "SELECT consent_state FROM alert")) == [
        ("consented",),
        ("not_asked",),
    ]

    await migrated(state, "head")
    assert {"consent_given_by", "consent_recorded_state"} <= set(await columns(state))
    assert await rows(state, "SELECT consent_given_by, consent_recorded_state FROM alert") == [
        (None, None),
        (None, None),
    ]
    for alert_id, consent in ((child, "not_asked"), (adult, "consented")):
        assert (await desk.alert_status(alert_id))["consent_state"] == consent
    again = await desk.alert(person={"age_band": "under_12"}, consent=CHILD)
    assert (await desk.alert_status(again))["consent_state"] == "not_asked"
