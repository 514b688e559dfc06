"""One scenario harness for the tests, after GoAlert's smoke harness: a team and its policy,
alerts in, the worker's engines run until idle, the fake clock moved, the SMS each member got,
an alert taken.

    async def test_escalation(scenario: Scenario) -> None:
        team = await scenario.team()
        await scenario.policy(page_on_duty(), page_members(team.member_ids[1]))
        alert = await scenario.alert()
        await scenario.settle()                      # SMS to the one on duty
        await scenario.fast_forward(timedelta(minutes=5))
        assert scenario.sms_to(team.member_ids[1])   # then to the second step
        assert await scenario.take(alert, team.member_ids[1])

The `scenario` fixture (tests/conftest.py) builds one on the test's own database, app, fake
clock and `Factory`; under tests/sms, tests/web and tests/browser it also holds the fake
Twilio (the app served on loopback, delivery reports posted back), elsewhere the SMS are the
console sender's. Everything is made through the services and the API, as in `Factory`.

API clients are made lazily, one per (scopes, municipalities), when a test first needs one;
their tokens are issued at the fake clock's time and issued afresh once the clock has moved
(a token does not outlast a moved clock, and issuing one writes nothing). The benchmarks in
bench/ do not use the harness: they measure real processes on the real clock, while the
harness drives one app in-process on a fake clock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import service as alerts_service
from app.alerts.enums import AckVia
from app.auth.scopes import Scope
from app.clock import FakeClock
from app.escalation.policy.rules import Policy, Step, StepTarget, TargetKind
from app.followup.cases import service as followup_service
from app.followup.cases.models import FollowupCase
from app.notify.console_sender import ConsoleSender
from app.roster.models import Member
from app.state import AppState
from devtools.fake_twilio import FakeTwilio
from tests.factories import ApiCredentials, Factory, TeamSetup, alert_body

AMK = (Scope.ALERTS_WRITE, Scope.ALERTS_READ)
"""The dispatcher's scopes (AMK): what `client()` makes without scopes named."""
SETTLE_PASSES = 10
"""Passes of (engines until idle, delivery reports in) before `settle` gives up."""


def page_on_duty(*, delay_minutes: int = 5) -> Step:
    """A policy step that pages whoever is on duty, then waits `delay_minutes`."""
    return Step(targets=(StepTarget(TargetKind.ON_DUTY),), delay_minutes=delay_minutes)


def page_members(*member_ids: uuid.UUID, delay_minutes: int = 5) -> Step:
    """A policy step that pages the named members, then waits `delay_minutes`."""
    target = StepTarget(TargetKind.MEMBERS, tuple(str(m) for m in member_ids))
    return Step(targets=(target,), delay_minutes=delay_minutes)


@dataclass
class _Client:
    credentials: ApiCredentials
    issued_at: datetime | None = None


@dataclass
class Scenario:
    """One test's world: the app, its fake clock, the teams made, the SMS sent."""

    factory: Factory
    state: AppState
    clock: FakeClock
    http: httpx.AsyncClient
    twilio: FakeTwilio | None = None
    """The fake Twilio the app sends through (tests/sms/conftest.py); None: the console."""
    municipalities: tuple[str, ...] = ("3107",)
    """What `client()` serves unless told otherwise: set it before the first client."""
    teams: list[TeamSetup] = field(default_factory=list)
    """The teams `team()` made, oldest first."""
    alerts: list[uuid.UUID] = field(default_factory=list)
    """The alerts `alert()` posted, oldest first."""
    _clients: dict[tuple[tuple[str, ...], tuple[str, ...]], _Client] = field(default_factory=dict)
    _sms_seen: int = 0

    @property
    def fake(self) -> FakeTwilio:
        """The fake Twilio (in the scenarios that send through it)."""
        assert self.twilio is not None, "this scenario sends through the console, not Twilio"
        return self.twilio

    # The roster

    async def team(self, **options: Any) -> TeamSetup:
        """A team through `Factory.team` (its options); `member_ids[0]` leads and is on duty."""
        setup = await self.factory.team(**options)
        self.teams.append(setup)
        return setup

    async def policy(
        self,
        *steps: Step,
        repeat: int = 0,
        fallback_number: str | None = None,
        team: TeamSetup | None = None,
    ) -> Policy:
        """`steps` (`page_on_duty()`, `page_members(...)`) as the escalation policy of `team`
        (the first team made, by default)."""
        policy = Policy(steps=steps, repeat=repeat, fallback_number=fallback_number)
        await self.factory.set_policy(self._team(team).team_id, policy)
        return policy

    def member(self, index: int, team: TeamSetup | None = None) -> uuid.UUID:
        """Member `index` of `team` (the first team made, by default), in rotation order."""
        return self._team(team).member_ids[index]

    def mobile(self, member: uuid.UUID | int) -> str:
        """The mobile number of a member of any team made here (an index: of the first)."""
        if isinstance(member, int):
            member = self.member(member)
        for team in self.teams:
            if member in team.mobiles:
                return team.mobiles[member]
        raise KeyError(f"no team here has the member {member}")

    # Credentials

    async def client(
        self, *scopes: str, municipalities: tuple[str, ...] | None = None
    ) -> ApiCredentials:
        """The API client with `scopes` (the AMK's if none) for `municipalities` (the
        scenario's if None), made on first use, with a token valid at the clock's time."""
        key = (tuple(scopes) or AMK, municipalities or self.municipalities)
        made = self._clients.get(key)
        if made is None:
            credentials = await self.factory.api_client(
                municipalities=key[1], scopes=key[0], with_token=False
            )
            made = self._clients[key] = _Client(credentials)
        now = self.clock.now()
        if made.issued_at != now:
            made.credentials.token = await self.factory.token(made.credentials)
            made.issued_at = now
        return made.credentials

    async def headers(
        self, *scopes: str, municipalities: tuple[str, ...] | None = None
    ) -> dict[str, str]:
        """The Authorization header of `client(*scopes, municipalities=...)`."""
        return (await self.client(*scopes, municipalities=municipalities)).headers

    async def request(
        self,
        method: str,
        path: str,
        *scopes: str,
        municipalities: tuple[str, ...] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """`method path` as `client(*scopes, municipalities=...)`; `kwargs` go to httpx."""
        headers = await self.headers(*scopes, municipalities=municipalities)
        return await self.http.request(method, path, headers=headers, **kwargs)

    # Alerts

    async def alert(
        self,
        *,
        body: dict[str, Any] | None = None,
        ago: timedelta | None = None,
        naloxone: bool = True,
        **overrides: Any,
    ) -> uuid.UUID:
        """Post an alert as the AMK: `body` (the example alert by default) with `overrides`,
        an overdose `ago` before now if given; `naloxone=False` leaves out the naloxone
        section (its dose time would have to follow an overdose moved back). Its id."""
        sent = alert_body() if body is None else dict(body)
        sent.update(overrides)
        if ago is not None:
            sent["occurred_at"] = (self.clock.now() - ago).isoformat()
        if not naloxone:
            sent.pop("naloxone", None)
        alert_id = uuid.UUID(await self.factory.post_alert(await self.client(), sent))
        self.alerts.append(alert_id)
        return alert_id

    async def alert_status(self, alert_id: uuid.UUID) -> dict[str, Any]:
        """The alert as the AMK reads it (`GET /v1/alerts/{id}`)."""
        response = await self.request("GET", f"/v1/alerts/{alert_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def acknowledge(self, alert_id: uuid.UUID, member_id: uuid.UUID) -> bool:
        """The member takes the alert through its link, and only that (no case opened);
        False if it was taken already."""
        async with self.state.sessions() as session, session.begin():
            return await self._acknowledge(session, alert_id, member_id)

    async def take(self, alert_id: uuid.UUID, member_id: uuid.UUID) -> FollowupCase | None:
        """The member takes the alert and its follow-up case opens, in one transaction as
        the link page does (`app.web.service.take`); the case, None if taken already."""
        async with self.state.sessions() as session, session.begin():
            if not await self._acknowledge(session, alert_id, member_id):
                return None
            return await followup_service.open_case_for_alert(
                session,
                alert_id=alert_id,
                taken_by=member_id,
                now=self.clock.now(),
                cipher=self.state.cipher,
                public_base_url=self.state.settings.http.public_base_url,
            )

    async def _acknowledge(
        self, session: AsyncSession, alert_id: uuid.UUID, member_id: uuid.UUID
    ) -> bool:
        member = await session.get(Member, member_id)
        return await alerts_service.acknowledge(
            session,
            alert_id=alert_id,
            member=member,
            via=AckVia.LINK,
            now=self.clock.now(),
            cipher=self.state.cipher,
        )

    # The worker and the clock

    async def settle(self) -> int:
        """Run the worker's engines until nothing is due; the work they did. With the fake
        Twilio, until its delivery reports are in and the engines found nothing more to do
        after them (a failed delivery moves an escalation on at once)."""
        if self.twilio is None:
            return await self.state.worker.run_until_idle()
        done = 0
        for _ in range(SETTLE_PASSES):
            work = await self.state.worker.run_until_idle()
            await self.twilio.wait_for_callbacks()
            done += work
            if work == 0:
                return done
        raise RuntimeError("the scenario did not settle")

    def advance(self, delta: timedelta) -> datetime:
        """Move the fake clock on by `delta` (the worker does not run); the new time."""
        return self.clock.advance(delta)

    async def fast_forward(self, delta: timedelta) -> int:
        """Time passes: the clock moves on by `delta`, then `settle`; the work done."""
        self.clock.advance(delta)
        return await self.settle()

    async def fast_forward_to(self, instant: datetime) -> int:
        """The clock set to `instant`, then `settle`; the work done."""
        self.clock.set(instant)
        return await self.settle()

    # The SMS

    def sms(self) -> list[tuple[str, str]]:
        """Every SMS sent so far, oldest first: (to, body)."""
        if self.twilio is not None:
            return [(m.to, m.body) for m in self.twilio.messages()]
        sender = self.state.sender
        assert isinstance(sender, ConsoleSender), "the SMS went to a sender the harness can't read"
        return [(m.to, m.body) for m in sender.outbox]

    def texted(self) -> list[str]:
        """The numbers texted so far, in order (one per SMS)."""
        return [to for to, _ in self.sms()]

    def sms_to(self, member: uuid.UUID | int | str) -> list[str]:
        """The bodies of the SMS to a member of a team here (as for `mobile`) or to a
        number, oldest first."""
        number = member if isinstance(member, str) else self.mobile(member)
        return [body for to, body in self.sms() if to == number]

    def new_sms(self) -> list[tuple[str, str]]:
        """The SMS sent since the last call (every one at the first), oldest first."""
        sent = self.sms()
        new, self._sms_seen = sent[self._sms_seen :], len(sent)
        return new

    def _team(self, team: TeamSetup | None) -> TeamSetup:
        """`team`, or the first team made here (the scenario's own; others are named)."""
        if team is not None:
            return team
        assert self.teams, "make a team first: `await scenario.team()`"
        return self.teams[0]
