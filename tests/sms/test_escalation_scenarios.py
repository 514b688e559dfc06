"""Smoke scenarios in GoAlert's style: alert in -> SMS to A -> time passes -> SMS to B -> ack.

The service talks to the fake Twilio through the real twilio library; the fake calls the
service back with signed delivery reports. The clock is a FakeClock the test moves; the
worker is driven round by round.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text
from twilio.request_validator import RequestValidator

from app.alerts import service as alerts_service
from app.alerts.enums import AckVia
from app.clock import FakeClock
from app.escalation.policy.rules import Policy, Step, StepTarget, TargetKind
from app.roster.models import Member
from app.state import AppState
from devtools.fake_twilio import FakeTwilio
from tests.factories import ApiCredentials, Factory, TeamSetup, alert_body
from tests.problems import assert_problem
from tests.sms.conftest import TWILIO_AUTH_TOKEN

FALLBACK = "+4790000009"


def two_step_policy(second: uuid.UUID, *, repeat: int = 0) -> Policy:
    return Policy(
        steps=(
            Step(targets=(StepTarget(TargetKind.ON_DUTY),), delay_minutes=5),
            Step(targets=(StepTarget(TargetKind.MEMBERS, (str(second),)),), delay_minutes=5),
        ),
        repeat=repeat,
        fallback_number=FALLBACK,
    )


class Scenario:
    def __init__(
        self, factory: Factory, state: AppState, fake: FakeTwilio, clock: FakeClock
    ) -> None:
        self.factory, self.state, self.fake, self.clock = factory, state, fake, clock
        self.amk: ApiCredentials | None = None
        self.team: TeamSetup | None = None

    async def setup(self, *, on_duty: bool = True, repeat: int = 0) -> TeamSetup:
        self.team = await self.factory.team(around_the_clock=on_duty)
        await self.factory.set_policy(
            self.team.team_id, two_step_policy(self.team.member_ids[1], repeat=repeat)
        )
        self.amk = await self.factory.api_client()
        return self.team

    def mobile(self, index: int) -> str:
        assert self.team is not None
        return self.team.mobiles[self.team.member_ids[index]]

    async def post_alert(self) -> uuid.UUID:
        assert self.amk is not None
        return uuid.UUID(await self.factory.post_alert(self.amk, alert_body()))

    async def settle(self) -> list[str]:
        """Run the worker until idle, let delivery reports arrive; the numbers texted so far."""
        for _ in range(5):
            await self.state.worker.run_until_idle()
            await self.fake.wait_for_callbacks()
        return [m.to for m in self.fake.messages()]

    async def advance(self, minutes: float) -> list[str]:
        self.clock.advance(timedelta(minutes=minutes))
        return await self.settle()

    async def acknowledge(self, alert_id: uuid.UUID, member_index: int) -> bool:
        assert self.team is not None
        async with self.state.sessions() as session, session.begin():
            member = await session.get(Member, self.team.member_ids[member_index])
            return await alerts_service.acknowledge(
                session, alert_id=alert_id, member=member, via=AckVia.LINK, now=self.clock.now()
            )


@pytest.fixture
def scenario(
    factory: Factory, state: AppState, fake_twilio: FakeTwilio, clock: FakeClock
) -> Scenario:
    return Scenario(factory, state, fake_twilio, clock)


async def test_alert_escalates_until_acknowledged(
    scenario: Scenario, http: httpx.AsyncClient
) -> None:
    await scenario.setup()
    alert_id = await scenario.post_alert()

    assert await scenario.settle() == [scenario.mobile(0)]
    first = scenario.fake.messages()[0]
    assert "Fredrikstad" in first.body and "/a/" in first.body and first.num_segments == 1
    assert first.status == "delivered"

    assert await scenario.advance(4) == [scenario.mobile(0)], "the step waits its 5 minutes"
    assert await scenario.advance(1) == [scenario.mobile(0), scenario.mobile(1)]

    assert await scenario.acknowledge(alert_id, 1)
    status = await http.get(f"/v1/alerts/{alert_id}", headers=scenario.amk.headers)  # type: ignore[union-attr]
    assert status.json()["status"] == "acknowledged"
    assert status.json()["acknowledged_at"] == scenario.clock.now().isoformat().replace(
        "+00:00", "Z"
    )
    # The other one paged hears that it is taken, and nobody is paged again.
    taken_notice = [scenario.mobile(0), scenario.mobile(1), scenario.mobile(0)]
    assert await scenario.advance(60) == taken_notice
    assert "er tatt av" in scenario.fake.messages()[-1].body
    assert not await scenario.acknowledge(alert_id, 0), "a second acknowledgement is a no-op"
    assert await scenario.advance(60) == taken_notice


async def test_alert_status_becomes_notified_when_the_first_sms_leaves(
    scenario: Scenario, http: httpx.AsyncClient
) -> None:
    await scenario.setup()
    alert_id = await scenario.post_alert()
    headers = scenario.amk.headers  # type: ignore[union-attr]
    await scenario.settle()
    body = (await http.get(f"/v1/alerts/{alert_id}", headers=headers)).json()
    assert body["status"] == "notified" and body["notified_at"] is not None


async def test_failed_delivery_escalates_at_once(scenario: Scenario) -> None:
    await scenario.setup()
    scenario.fake.set_behaviour(scenario.mobile(0), "fail_callback")
    await scenario.post_alert()
    # No clock movement: the signed "failed" report moves the escalation to the next step.
    assert await scenario.settle() == [scenario.mobile(0), scenario.mobile(1)]


async def test_undelivered_report_escalates_at_once(scenario: Scenario) -> None:
    await scenario.setup()
    scenario.fake.set_behaviour(scenario.mobile(0), "undelivered")
    await scenario.post_alert()
    assert await scenario.settle() == [scenario.mobile(0), scenario.mobile(1)]


async def test_permanent_send_error_escalates_at_once(scenario: Scenario, state: AppState) -> None:
    await scenario.setup()
    scenario.fake.set_behaviour(scenario.mobile(0), "reject_permanent")
    await scenario.post_alert()
    assert await scenario.settle() == [scenario.mobile(1)]  # the fake refused A's message
    async with state.engine.connect() as connection:
        rows = (
            await connection.execute(
                text("SELECT status, last_error FROM outbox_message WHERE to_number = :to"),
                {"to": scenario.mobile(0)},
            )
        ).all()
    assert rows == [("failed", "SmsPermanentError: code 21614")]


async def test_temporary_send_errors_are_retried_with_backoff(scenario: Scenario) -> None:
    await scenario.setup()
    scenario.fake.set_behaviour(scenario.mobile(0), "server_error", times=2)
    await scenario.post_alert()
    assert await scenario.settle() == []
    assert await scenario.advance(2 / 60) == []  # second attempt after 2 s also gets 503
    assert await scenario.advance(4 / 60) == [scenario.mobile(0)]  # third, after 4 s more


async def test_nobody_on_duty_pages_the_fallback_and_tells_the_leader(
    scenario: Scenario,
) -> None:
    team = await scenario.setup(on_duty=False)
    await scenario.post_alert()
    texted = await scenario.settle()
    assert sorted(texted) == sorted([FALLBACK, scenario.mobile(0)])
    leader_text = next(m.body for m in scenario.fake.messages() if m.to == scenario.mobile(0))
    assert "vakt" in leader_text.lower()
    assert team.leader_id == team.member_ids[0]


async def test_an_unacknowledged_alert_ends_with_the_leader_and_fallback_told(
    scenario: Scenario, state: AppState
) -> None:
    await scenario.setup(repeat=1)
    alert_id = await scenario.post_alert()
    await scenario.settle()
    texted: list[str] = []
    for _ in range(4):  # two steps, two passes, five minutes each
        texted = await scenario.advance(5)
    a, b = scenario.mobile(0), scenario.mobile(1)
    assert texted == [a, b, a, b, a, FALLBACK]
    async with state.engine.connect() as connection:
        status = (
            await connection.execute(
                text("SELECT status FROM escalation_state WHERE alert_id = :id"),
                {"id": alert_id.hex if state.settings.is_sqlite else alert_id},
            )
        ).scalar_one()
    assert status == "exhausted"
    assert await scenario.advance(30) == texted, "an exhausted escalation sends no more"


async def test_status_callback_with_a_forged_or_missing_signature_is_refused(
    scenario: Scenario, http: httpx.AsyncClient, state: AppState
) -> None:
    url = state.settings.http.public_base_url + "/v1/webhooks/twilio/status"
    params = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "failed"}
    forged = RequestValidator("not-the-auth-token").compute_signature(url, params)
    response = await http.post(url, data=params, headers={"X-Twilio-Signature": forged})
    assert_problem(response, 403)
    assert_problem(await http.post(url, data=params), 403)
    good = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(url, params)
    assert (
        await http.post(url, data=params, headers={"X-Twilio-Signature": good})
    ).status_code == 204


async def test_a_municipality_without_a_receiving_team_gets_not_delivered(
    factory: Factory, http: httpx.AsyncClient, state: AppState
) -> None:
    amk = await factory.api_client(municipalities=("1103",))
    async with state.sessions() as session, session.begin():
        await session.execute(text("UPDATE team SET receives_alerts = false"))
    body = alert_body(municipality="1103")
    problem = assert_problem(await http.post("/v1/alerts", json=body, headers=amk.headers), 422)
    assert "NOT delivered" in problem["detail"]
    async with state.engine.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM alert"))).scalar_one() == 0
