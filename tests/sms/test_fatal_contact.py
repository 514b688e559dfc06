"""The municipality's named fatal contact, end to end (docs/rules.md, "The municipality's fatal
contact"): set in the triage document over HTTP, told by SMS with the leader, at the same time,
through the fake Twilio; never before the leader's morning, never with personal data.

The team: Ada (leader), Bo (paged by the policy). A death at 22:30 on Maundy Thursday 2027.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.scenario import Scenario, page_members

MAUNDY_THURSDAY_2230 = datetime(2027, 3, 25, 21, 30, tzinfo=UTC)  # 22:30 in Oslo (CET)
GOOD_FRIDAY_0800 = datetime(2027, 3, 26, 7, 0, tzinfo=UTC)  # 08:00 in Oslo, a public holiday
CONTACT = "+4748000001"
TRIAGE = "/v1/admin/municipalities/3107/triage"
LEADER, ON_DUTY = 0, 1


async def set_contact(scenario: Scenario, contact: dict[str, Any] | None) -> None:
    admin = await scenario.factory.admin_client()
    default_rule = {
        "action": "working_hours",
        "destinations": ["hospital", "legevakt_admitted"],
        "first_contact_ward": True,
    }
    body = {"rules": [default_rule], "fatal": {"contact": contact}}
    put = await scenario.http.put(TRIAGE, json=body, headers=admin.headers)
    assert put.status_code == 200, put.text
    assert put.json()["fatal"]["contact"] == contact


@pytest.fixture
async def maundy_thursday(scenario: Scenario) -> Scenario:
    scenario.clock.set(MAUNDY_THURSDAY_2230)
    team = await scenario.team()
    await scenario.policy(page_members(team.member_ids[ON_DUTY]), repeat=3)
    return scenario


async def test_the_leader_and_the_fatal_contact_are_told_together_in_the_morning(
    maundy_thursday: Scenario,
) -> None:
    scenario = maundy_thursday
    await set_contact(scenario, {"name": "Kommuneoverlegen", "mobile": CONTACT})
    alert_id = await scenario.alert(
        ago=timedelta(minutes=5), kind="fatal", clinical={"outcome": "deceased"}
    )
    status = await scenario.alert_status(alert_id)
    assert status["triage"]["action"] == "fatal"
    await scenario.settle()
    assert scenario.sms() == [], "nobody at night"

    await scenario.fast_forward_to(GOOD_FRIDAY_0800 - timedelta(minutes=1))
    assert scenario.sms() == [], "none before 08:00"

    await scenario.fast_forward_to(GOOD_FRIDAY_0800)
    sent = dict(scenario.sms())
    assert sorted(sent) == sorted([scenario.mobile(LEADER), CONTACT]), "both, at once"
    leader, contact = sent[scenario.mobile(LEADER)], sent[CONTACT]
    assert leader.startswith("Overdosedødsfall Fredrikstad 25.3. kl. 22.25: til deg som leder")
    assert contact == (
        "Overdosedødsfall Fredrikstad 25.3. kl. 22.25: til deg som kommunens kontakt ved "
        "dødsfall. Lederen i Ressursteam overdose er varslet."
    )
    alert = (await scenario.alert_status(alert_id)) | {"id": None}
    person = [v for v in _strings(alert) if len(v) > 3 and v not in {"fatal", "deceased"}]
    assert not [v for v in person if v in contact and v != "Fredrikstad"], "no personal data"
    assert "http" not in contact and "OK" not in contact, "no link, no code: not a member"

    status = await scenario.alert_status(alert_id)
    kinds = [e["kind"] for e in status["timeline"]]
    assert kinds == ["received", "triaged", "leader_told", "fatal_contact_told"]
    told = {e["kind"]: e["at"] for e in status["timeline"]}
    assert told["leader_told"] == told["fatal_contact_told"], "at the same time"
    assert CONTACT not in str(status), "the timeline does not keep the number"

    await scenario.fast_forward(timedelta(hours=3))
    assert scenario.sms_to(CONTACT) == [contact], "once"
    assert scenario.mobile(ON_DUTY) not in scenario.texted(), "the on-duty person is not paged"


async def test_without_a_contact_the_leader_alone_is_told(maundy_thursday: Scenario) -> None:
    scenario = maundy_thursday
    await set_contact(scenario, {"name": "Kriseteamet", "mobile": CONTACT})
    await set_contact(scenario, None)  # taken away again
    alert_id = await scenario.alert(
        ago=timedelta(minutes=5), kind="fatal", clinical={"outcome": "deceased"}
    )
    await scenario.fast_forward_to(GOOD_FRIDAY_0800)
    assert scenario.texted() == [scenario.mobile(LEADER)]
    status = await scenario.alert_status(alert_id)
    assert "fatal_contact_told" not in [e["kind"] for e in status["timeline"]]


async def test_a_non_fatal_alert_does_not_reach_the_fatal_contact(
    maundy_thursday: Scenario,
) -> None:
    scenario = maundy_thursday
    await set_contact(scenario, {"name": "Kommuneoverlegen", "mobile": CONTACT})
    await scenario.alert(
        ago=timedelta(minutes=5),
        clinical={"outcome": "declined_transport"},
        destination={"type": "home_alone"},
    )
    await scenario.fast_forward_to(GOOD_FRIDAY_0800)
    assert CONTACT not in scenario.texted()
    assert scenario.mobile(ON_DUTY) in scenario.texted()


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []
