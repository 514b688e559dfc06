"""Urgency follows the outcome, end to end: the SMS that reach the fake Twilio, by the clock.

The team: Ada (leader), Bo (paged by the policy). It is 02:00 on a Saturday night in Oslo.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.followup.cases import repository as followup_repository
from tests.scenario import Scenario, page_members

SATURDAY_0200_OSLO = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
MONDAY_0800_OSLO = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
LEADER, ON_DUTY = 0, 1
"""Ada leads; Bo is the one the policy pages."""


@pytest.fixture
async def night(scenario: Scenario) -> Scenario:
    scenario.clock.set(SATURDAY_0200_OSLO)
    team = await scenario.team(around_the_clock=False)
    await scenario.policy(page_members(team.member_ids[ON_DUTY]), repeat=3)
    return scenario


async def alert(night: Scenario, **sections: Any) -> uuid.UUID:
    """An overdose 20 minutes ago, the example alert with `sections` replaced."""
    return await night.alert(ago=timedelta(minutes=20), **sections)


async def case_kind_of(night: Scenario, alert_id: uuid.UUID) -> str | None:
    async with night.state.sessions() as session:
        case = await followup_repository.case_of_alert(session, alert_id=alert_id)
        return case.kind if case is not None else None


async def triage_of(night: Scenario, alert_id: uuid.UUID) -> Any:
    return (await night.alert_status(alert_id))["triage"]


async def test_declined_transport_pages_at_once(night: Scenario) -> None:
    alert_id = await alert(
        night, clinical={"outcome": "declined_transport"}, destination={"type": "home_alone"}
    )
    await night.settle()
    assert night.texted() == [night.mobile(ON_DUTY)]
    assert (await triage_of(night, alert_id))["action"] == "page_now"


async def test_admitted_at_night_waits_for_monday_morning(night: Scenario) -> None:
    alert_id = await alert(
        night,
        clinical={"outcome": "transported"},
        destination={"type": "hospital", "name": "Akuttposten"},
    )
    triage = await triage_of(night, alert_id)
    await night.settle()
    assert await case_kind_of(night, alert_id) is None, "no task, and no deadline, at night"
    assert triage == {
        "action": "working_hours",
        "page_at": "2026-11-30T07:00:00Z",
        "first_contact_ward": True,
        "reason": "rule 1",
    }
    await night.settle()
    assert night.sms() == []
    await night.fast_forward_to(MONDAY_0800_OSLO - timedelta(minutes=1))
    assert night.sms() == [], "not on Sunday either"
    await night.fast_forward_to(MONDAY_0800_OSLO)
    [(to, body)] = night.sms()
    assert to == night.mobile(ON_DUTY)
    assert "ring avdelingen først" in body
    assert "Akuttposten" not in body  # no place in an SMS
    assert await case_kind_of(night, alert_id) == "survivor", "a task from Monday morning"
    # From then on it escalates as any page: the wait counts from Monday, not the overdose.
    await night.fast_forward_to(MONDAY_0800_OSLO + timedelta(minutes=5))
    assert night.texted() == [night.mobile(ON_DUTY), night.mobile(ON_DUTY)]
    await night.acknowledge(alert_id, night.member(ON_DUTY))


async def test_an_objected_alert_pages_nobody(night: Scenario) -> None:
    alert_id = await alert(night, consent={"state": "objected"})
    assert (await triage_of(night, alert_id)) == {
        "action": "no_page",
        "page_at": None,
        "first_contact_ward": False,
        "reason": "objected",
    }
    await night.fast_forward_to(MONDAY_0800_OSLO + timedelta(hours=2))
    assert night.sms() == []


async def test_a_fatal_alert_tells_the_leader_only_in_working_hours(night: Scenario) -> None:
    alert_id = await alert(night, kind="fatal", clinical={"outcome": "deceased"})
    assert (await triage_of(night, alert_id))["action"] == "fatal"
    await night.settle()
    assert night.sms() == [], "nobody at night"
    await night.fast_forward_to(MONDAY_0800_OSLO)
    [(to, body)] = night.sms()
    assert await case_kind_of(night, alert_id) == "fatal", "the bereavement follow-up opens"
    assert to == night.mobile(LEADER)
    assert body.startswith("Overdosedødsfall")
    await night.fast_forward_to(MONDAY_0800_OSLO + timedelta(hours=3))
    later = night.sms()
    assert [t for t in later if t[1].startswith("Overdosedødsfall")] == [(to, body)], "once"
    # The bereavement case's first deadline counts from Monday morning, not from the night.
    assert {number for number, text in later if text.startswith("Frist")} <= {night.mobile(LEADER)}
    status = await night.alert_status(alert_id)
    assert [e["kind"] for e in status["timeline"]] == ["received", "triaged", "leader_told"]
