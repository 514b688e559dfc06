"""Smoke scenarios in GoAlert's style: alert in -> SMS to A -> time passes -> SMS to B -> ack.

The service talks to the fake Twilio through the real twilio library; the fake calls the
service back with signed delivery reports. The clock is a FakeClock the test moves; the
worker is driven round by round.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import text
from twilio.request_validator import RequestValidator

from app.state import AppState
from tests.factories import Factory, TeamSetup, alert_body
from tests.problems import assert_problem
from tests.scenario import Scenario, page_members, page_on_duty
from tests.sms.conftest import TWILIO_AUTH_TOKEN

FALLBACK = "+4790000009"


async def escalating_team(
    scenario: Scenario, *, on_duty: bool = True, repeat: int = 0, **team: Any
) -> TeamSetup:
    """A team (`team` options, rostered around the clock if `on_duty`) whose policy pages
    the one on duty, then member 1, five minutes each, then the fallback number."""
    setup = await scenario.team(around_the_clock=on_duty, **team)
    await scenario.policy(
        page_on_duty(),
        page_members(setup.member_ids[1]),
        repeat=repeat,
        fallback_number=FALLBACK,
    )
    return setup


async def test_alert_escalates_until_acknowledged(scenario: Scenario) -> None:
    team = await escalating_team(scenario)
    alert_id = await scenario.alert()

    await scenario.settle()
    assert scenario.texted() == [scenario.mobile(0)]
    first = scenario.fake.messages()[0]
    assert "Fredrikstad" in first.body and "/a/" in first.body and first.num_segments == 1
    assert first.status == "delivered"

    await scenario.fast_forward(timedelta(minutes=4))
    assert scenario.texted() == [scenario.mobile(0)], "the step waits its 5 minutes"
    await scenario.fast_forward(timedelta(minutes=1))
    assert scenario.texted() == [scenario.mobile(0), scenario.mobile(1)]

    assert await scenario.acknowledge(alert_id, team.member_ids[1])
    status = await scenario.alert_status(alert_id)
    assert status["status"] == "acknowledged"
    assert status["acknowledged_at"] == scenario.clock.now().isoformat().replace("+00:00", "Z")
    # The other one paged hears that it is taken, and nobody is paged again.
    taken_notice = [scenario.mobile(0), scenario.mobile(1), scenario.mobile(0)]
    await scenario.fast_forward(timedelta(minutes=60))
    assert scenario.texted() == taken_notice
    assert "er tatt av" in scenario.sms()[-1][1]
    assert not await scenario.acknowledge(alert_id, team.member_ids[0]), (
        "a second acknowledgement is a no-op"
    )
    await scenario.fast_forward(timedelta(minutes=60))
    assert scenario.texted() == taken_notice


async def test_alert_status_becomes_notified_when_the_first_sms_leaves(
    scenario: Scenario,
) -> None:
    await escalating_team(scenario)
    alert_id = await scenario.alert()
    await scenario.settle()
    body = await scenario.alert_status(alert_id)
    assert body["status"] == "notified" and body["notified_at"] is not None


async def test_failed_delivery_escalates_at_once(scenario: Scenario) -> None:
    await escalating_team(scenario)
    scenario.fake.set_behaviour(scenario.mobile(0), "fail_callback")
    await scenario.alert()
    # No clock movement: the signed "failed" report moves the escalation to the next step.
    await scenario.settle()
    assert scenario.texted() == [scenario.mobile(0), scenario.mobile(1)]


async def test_undelivered_report_escalates_at_once(scenario: Scenario) -> None:
    await escalating_team(scenario)
    scenario.fake.set_behaviour(scenario.mobile(0), "undelivered")
    await scenario.alert()
    await scenario.settle()
    assert scenario.texted() == [scenario.mobile(0), scenario.mobile(1)]


async def test_permanent_send_error_escalates_at_once(scenario: Scenario, state: AppState) -> None:
    await escalating_team(scenario)
    scenario.fake.set_behaviour(scenario.mobile(0), "reject_permanent")
    await scenario.alert()
    await scenario.settle()
    assert scenario.texted() == [scenario.mobile(1)]  # the fake refused A's message
    async with state.engine.connect() as connection:
        rows = (
            await connection.execute(
                text("SELECT status, last_error FROM outbox_message WHERE to_number = :to"),
                {"to": scenario.mobile(0)},
            )
        ).all()
    assert rows == [("failed", "SmsPermanentError: code 21614")]


async def test_temporary_send_errors_are_retried_with_backoff(scenario: Scenario) -> None:
    await escalating_team(scenario)
    scenario.fake.set_behaviour(scenario.mobile(0), "server_error", times=2)
    await scenario.alert()
    await scenario.settle()
    assert scenario.texted() == []
    await scenario.fast_forward(timedelta(seconds=2))
    assert scenario.texted() == []  # second attempt after 2 s also gets 503
    await scenario.fast_forward(timedelta(seconds=4))
    assert scenario.texted() == [scenario.mobile(0)]  # third, after 4 s more


async def test_nobody_on_duty_pages_the_fallback_and_tells_the_leader(
    scenario: Scenario,
) -> None:
    team = await escalating_team(scenario, on_duty=False)
    await scenario.alert()
    await scenario.settle()
    assert sorted(scenario.texted()) == sorted([FALLBACK, scenario.mobile(0)])
    leader_text = scenario.sms_to(0)[0]
    assert "vakt" in leader_text.lower()
    assert team.leader_id == team.member_ids[0]


async def test_an_unacknowledged_alert_ends_with_the_leader_and_fallback_told(
    scenario: Scenario, state: AppState
) -> None:
    await escalating_team(scenario, repeat=1)
    alert_id = await scenario.alert()
    await scenario.settle()
    for _ in range(4):  # two steps, two passes, five minutes each
        await scenario.fast_forward(timedelta(minutes=5))
    texted = scenario.texted()
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
    await scenario.fast_forward(timedelta(minutes=30))
    assert scenario.texted() == texted, "an exhausted escalation sends no more"


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
