"""Migration 0024: the warnings stored before get a kind from their source (a signal: a
cluster; a concern report only: a substance) and no recorded choice; settings get no external
recipients; the downgrade drops the new columns and keeps the rows."""

from __future__ import annotations

from app.auth.scopes import Scope
from app.drug_warnings.warnings.models import DrugWarning
from tests.drug_warnings.test_drug_warnings import (
    BY,
    as_leader,
    draft_warning,
    make_cluster,
    set_contacts,
    world,
)
from tests.drug_warnings.test_drug_warnings_staff import REPORT
from tests.followup.test_followup_cases import ADA, alert, desk, read_case, steps_of, take
from tests.migrations.test_migration_0006 import rows
from tests.migrations.test_migration_0018 import migrated
from tests.migrations.test_migration_0020 import execute
from tests.scenario import Scenario

__all__ = ["desk", "world"]


async def test_0024_gives_stored_warnings_their_kind_both_ways(world: Scenario) -> None:
    await set_contacts(world)
    signal = await make_cluster(world)
    from_signal = await draft_warning(world, signal_id=signal["id"], kind="other")
    partner = await world.factory.api_client(
        municipalities=("3107",), scopes=(Scope.CONCERNS_WRITE,)
    )
    filed = await world.http.post("/v1/concern-reports", json=REPORT, headers=partner.headers)
    from_report = await draft_warning(world, concern_report_id=filed.json()["id"])
    ids = {from_signal.json()["id"]: "cluster", from_report.json()["id"]: "substance"}

    await migrated(world.state, "0023", down=True)
    columns = await rows(world.state, "SELECT * FROM drug_warning")
    assert len(columns[0]) == len(DrugWarning.model_fields) - 2, "kind and recipients gone"
    await migrated(world.state, "head")
    for warning_id, kind in ids.items():
        got = await world.http.get(
            f"/v1/drug-warnings/{warning_id}", headers=await as_leader(world)
        )
        assert got.json()["kind"] == kind, "from its source, as a new draft would be"
        assert [r["suggested"] for r in got.json()["recipients"]] == [True, True]
    [(external,)] = await rows(world.state, "SELECT external FROM warning_settings")
    assert external in ("[]", [])
    approved = await world.http.post(
        f"/v1/drug-warnings/{from_report.json()['id']}/approve",
        json={"by": BY},
        headers=await as_leader(world),
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["sms"]["pending"] == 2


async def test_0024_asks_the_open_fatal_cases_report_and_keeps_the_steps(desk: Scenario) -> None:
    alert_id = await alert(desk, kind="fatal", clinical={"outcome": "deceased"})
    case_id = await take(desk, alert_id, desk.member(ADA))
    await migrated(desk.state, "0023", down=True)
    await execute(desk.state, "UPDATE followup_step SET title = title")  # rows survive
    await migrated(desk.state, "head")
    steps = steps_of(await read_case(desk, case_id))
    assert steps["serious_event_report"]["asks"] == "service_related_death"
    assert steps["assess"]["asks"] is None and steps["assess"]["answer"] is None
