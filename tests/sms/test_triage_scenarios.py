"""Urgency follows the outcome, end to end: the SMS that reach the fake Twilio, by the clock.

The team: Ada (leader), Bo (paged by the policy). It is 02:00 on a Saturday night in Oslo.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.alerts import service as alerts_service
from app.alerts.enums import AckVia
from app.clock import FakeClock
from app.escalation.policy.rules import Policy, Step, StepTarget, TargetKind
from app.followup import repository as followup_repository
from app.roster.models import Member
from app.state import AppState
from devtools.fake_twilio import FakeTwilio
from tests.factories import ApiCredentials, Factory, TeamSetup, alert_body

SATURDAY_0200_OSLO = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
MONDAY_0800_OSLO = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


class Night:
    def __init__(
        self, factory: Factory, state: AppState, fake: FakeTwilio, clock: FakeClock
    ) -> None:
        self.factory, self.state, self.fake, self.clock = factory, state, fake, clock

    async def setup(self) -> None:
        self.clock.set(SATURDAY_0200_OSLO)
        self.team: TeamSetup = await self.factory.team(around_the_clock=False)
        bo = self.team.member_ids[1]
        policy = Policy(
            steps=(Step(targets=(StepTarget(TargetKind.MEMBERS, (str(bo),)),), delay_minutes=5),),
            repeat=3,
        )
        await self.factory.set_policy(self.team.team_id, policy)
        self.amk: ApiCredentials = await self.factory.api_client()

    @property
    def leader(self) -> str:
        return self.team.mobiles[self.team.member_ids[0]]

    @property
    def on_duty(self) -> str:
        return self.team.mobiles[self.team.member_ids[1]]

    async def alert(self, **sections: Any) -> uuid.UUID:
        occurred = (self.clock.now() - timedelta(minutes=20)).isoformat()
        body = alert_body(occurred_at=occurred, **sections)
        return uuid.UUID(await self.factory.post_alert(self.amk, body))

    async def texted(self) -> list[tuple[str, str]]:
        for _ in range(5):
            await self.state.worker.run_until_idle()
            await self.fake.wait_for_callbacks()
        return [(m.to, m.body) for m in self.fake.messages()]

    async def at(self, instant: datetime) -> list[tuple[str, str]]:
        self.clock.set(instant)
        return await self.texted()

    async def take(self, alert_id: uuid.UUID) -> None:
        async with self.state.sessions() as session, session.begin():
            member = await session.get(Member, self.team.member_ids[1])
            await alerts_service.acknowledge(
                session, alert_id=alert_id, member=member, via=AckVia.LINK, now=self.clock.now()
            )


@pytest.fixture
async def night(
    factory: Factory, state: AppState, fake_twilio: FakeTwilio, clock: FakeClock
) -> Night:
    night = Night(factory, state, fake_twilio, clock)
    await night.setup()
    return night


async def status_of(http: httpx.AsyncClient, night: Night, alert_id: uuid.UUID) -> Any:
    night.amk.token = await night.factory.token(night.amk)  # tokens expire as the clock moves
    response = await http.get(f"/v1/alerts/{alert_id}", headers=night.amk.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def case_kind_of(night: Night, alert_id: uuid.UUID) -> str | None:
    async with night.state.sessions() as session:
        case = await followup_repository.case_of_alert(session, alert_id=alert_id)
        return case.kind if case is not None else None


async def triage_of(http: httpx.AsyncClient, night: Night, alert_id: uuid.UUID) -> Any:
    return (await status_of(http, night, alert_id))["triage"]


async def test_declined_transport_pages_at_once(night: Night, http: httpx.AsyncClient) -> None:
    alert_id = await night.alert(
        clinical={"outcome": "declined_transport"}, destination={"type": "home_alone"}
    )
    assert [to for to, _ in await night.texted()] == [night.on_duty]
    assert (await triage_of(http, night, alert_id))["action"] == "page_now"


async def test_admitted_at_night_waits_for_monday_morning(
    night: Night, http: httpx.AsyncClient
) -> None:
    alert_id = await night.alert(
        clinical={"outcome": "transported"},
        destination={"type": "hospital", "name": "Akuttposten"},
    )
    triage = await triage_of(http, night, alert_id)
    await night.texted()
    assert await case_kind_of(night, alert_id) is None, "no task, and no deadline, at night"
    assert triage == {
        "action": "working_hours",
        "page_at": "2026-11-30T07:00:00Z",
        "first_contact_ward": True,
        "reason": "rule 1",
    }
    assert await night.texted() == []
    assert await night.at(MONDAY_0800_OSLO - timedelta(minutes=1)) == [], "not on Sunday either"
    [(to, body)] = await night.at(MONDAY_0800_OSLO)
    assert to == night.on_duty
    assert "avtal med avdelingen" in body
    assert "Akuttposten" not in body  # no place in an SMS
    assert await case_kind_of(night, alert_id) == "survivor", "a task from Monday morning"
    # From then on it escalates as any page: the wait counts from Monday, not the overdose.
    assert [to for to, _ in await night.at(MONDAY_0800_OSLO + timedelta(minutes=5))] == [
        night.on_duty,
        night.on_duty,
    ]
    await night.take(alert_id)


async def test_an_objected_alert_pages_nobody(night: Night, http: httpx.AsyncClient) -> None:
    alert_id = await night.alert(consent={"state": "objected"})
    assert (await triage_of(http, night, alert_id)) == {
        "action": "no_page",
        "page_at": None,
        "first_contact_ward": False,
        "reason": "objected",
    }
    assert await night.at(MONDAY_0800_OSLO + timedelta(hours=2)) == []


async def test_a_fatal_alert_tells_the_leader_only_in_working_hours(
    night: Night, http: httpx.AsyncClient
) -> None:
    alert_id = await night.alert(kind="fatal", clinical={"outcome": "deceased"})
    assert (await triage_of(http, night, alert_id))["action"] == "fatal"
    assert await night.texted() == [], "nobody at night"
    [(to, body)] = await night.at(MONDAY_0800_OSLO)
    assert await case_kind_of(night, alert_id) == "fatal", "the bereavement follow-up opens"
    assert to == night.leader
    assert body.startswith("Overdosedødsfall")
    later = await night.at(MONDAY_0800_OSLO + timedelta(hours=3))
    assert [t for t in later if t[1].startswith("Overdosedødsfall")] == [(to, body)], "once"
    # The bereavement case's first deadline counts from Monday morning, not from the night.
    assert {number for number, text in later if text.startswith("Frist")} <= {night.leader}
    status = await status_of(http, night, alert_id)
    assert [e["kind"] for e in status["timeline"]] == ["received", "triaged", "leader_told"]
