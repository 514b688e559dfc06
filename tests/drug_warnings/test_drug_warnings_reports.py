"""A warning drafted from a concern report may not name a person of a recent alert: the report
names no alert, so its text is checked against the names in the alerts of the report's
municipality from a fortnight before what it reports (`warnings.service.REPORT_LOOK_BACK`)
until now, when drafted, edited and approved."""

from __future__ import annotations

from datetime import timedelta

from app.auth.scopes import Scope
from app.drug_warnings.warnings.service import REPORT_LOOK_BACK
from tests.drug_warnings.test_drug_warnings import (
    BY,
    CONTACTS,
    approve_warning,
    as_leader,
    count_rows,
    draft_warning,
    post_alert,
    set_contacts,
    sms_sent_to,
    world,
)
from tests.drug_warnings.test_drug_warnings_staff import REPORT
from tests.personal_data import NAME, personal_body
from tests.problems import assert_problem
from tests.scenario import Scenario

__all__ = ["world"]


async def file_report(world: Scenario, **fields: object) -> str:
    partner = await world.factory.api_client(
        municipalities=("3107",), scopes=(Scope.CONCERNS_WRITE,)
    )
    filed = await world.http.post(
        "/v1/concern-reports", json={**REPORT, **fields}, headers=partner.headers
    )
    assert filed.status_code == 201, filed.text
    report_id: str = filed.json()["id"]
    return report_id


async def test_a_warning_from_a_report_with_a_name_from_a_recent_alert_is_refused(
    world: Scenario,
) -> None:
    await post_alert(world, hours_ago=5, body=personal_body())  # Kari Nordkvinne
    report_id = await file_report(world)
    for bad in (f"Overdose hos {NAME} i sentrum", "nordkvinne har tatt noe farlig"):
        refused = await draft_warning(world, concern_report_id=report_id, text=bad)
        problem = assert_problem(refused, 422)
        assert [e["field"] for e in problem["errors"]] == ["text"], problem
        assert "concern report" in problem["errors"][0]["reason"]
        assert "Nordkvinne" not in refused.text and "nordkvinne" not in refused.text
    assert await count_rows(world.state, "drug_warning") == 0

    drafted = await draft_warning(world, concern_report_id=report_id)
    assert drafted.status_code == 201, drafted.text
    edited = await world.http.patch(
        f"/v1/drug-warnings/{drafted.json()['id']}",
        json={"text": "Grønne tabletter, Kari advarer", "by": BY},
        headers=await as_leader(world),
    )
    assert assert_problem(edited, 422)["errors"][0]["field"] == "text"


async def test_a_name_that_comes_with_a_later_alert_stops_the_approval(world: Scenario) -> None:
    await set_contacts(world)
    report_id = await file_report(world)
    draft = await draft_warning(
        world, concern_report_id=report_id, text="Grønne tabletter kalt «Kari» i omløp"
    )
    assert draft.status_code == 201, "no alert had that name yet"
    await post_alert(world, hours_ago=0, body=personal_body())
    problem = assert_problem(await approve_warning(world, draft.json()["id"]), 422)
    assert problem["errors"][0]["field"] == "text"
    assert await sms_sent_to(world, [c["mobile"] for c in CONTACTS]) == []


async def test_an_alert_from_before_the_reports_look_back_does_not_count(world: Scenario) -> None:
    await post_alert(world, hours_ago=1, body=personal_body())
    world.clock.advance(REPORT_LOOK_BACK + timedelta(hours=2))
    # Tokens expire with the clock: the harness issues the leader a new one.
    report_id = await file_report(world)
    drafted = await draft_warning(
        world, concern_report_id=report_id, text="Grønne tabletter kalt «Kari» i omløp"
    )
    assert drafted.status_code == 201, drafted.text
    observed = (world.clock.now() - REPORT_LOOK_BACK).isoformat()
    earlier = await file_report(world, observed_at=observed)  # reports what happened then
    refused = await draft_warning(
        world, concern_report_id=earlier, text="Grønne tabletter kalt «Kari» i omløp"
    )
    assert_problem(refused, 422)
