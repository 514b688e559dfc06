"""The engine never lets one bad row stop paging; late alerts go to the leader; delivery
reports are matched by our own message id, even before the provider's id is stored."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text
from twilio.request_validator import RequestValidator

from app.notify import texts
from app.notify.dispatcher import STATUS_CALLBACK_PATH, Dispatcher
from app.notify.sms import SendResult, SmsMessage, SmsSender
from app.state import AppState
from devtools.fake_twilio import FakeTwilio
from tests.problems import assert_problem
from tests.scenario import Scenario
from tests.sms.conftest import TWILIO_AUTH_TOKEN
from tests.sms.test_escalation_scenarios import FALLBACK, escalating_team


async def escalation_status(state: AppState, alert_id: uuid.UUID) -> str:
    async with state.engine.connect() as connection:
        status: str = (
            await connection.execute(
                text("SELECT status FROM escalation_state WHERE alert_id = :id"),
                {"id": alert_id.hex if state.settings.is_sqlite else alert_id},
            )
        ).scalar_one()
    return status


@pytest.mark.parametrize(("hours_ago", "late"), [(23.9, False), (24.1, True)])
async def test_an_alert_past_the_paging_window_tells_the_leader_instead(
    scenario: Scenario, hours_ago: float, late: bool
) -> None:
    await escalating_team(scenario)
    # Member 1 is on duty this week: the leader (member 0) is someone else.
    scenario.advance(timedelta(days=7))
    alert_id = await scenario.alert(ago=timedelta(hours=hours_ago))

    await scenario.settle()
    texted = scenario.texted()
    leader, on_duty = scenario.mobile(0), scenario.mobile(1)
    if not late:
        assert texted == [on_duty]
        return
    assert texted == [leader], "the person on duty is not paged for a night long past"
    [sms] = scenario.fake.messages()
    assert "kom for sent" in sms.body and "/a/" in sms.body and sms.num_segments == 1
    assert await escalation_status(scenario.state, alert_id) == "late"
    status = await scenario.alert_status(alert_id)
    assert status["status"] == "notified", "stored and counted as told"
    await scenario.fast_forward(timedelta(minutes=60))
    assert scenario.texted() == [leader], "and nobody is paged later either"


async def test_a_late_alert_with_no_leader_goes_to_the_fallback_number(
    scenario: Scenario,
) -> None:
    await escalating_team(scenario, leader=False)
    await scenario.alert(ago=timedelta(hours=30))
    await scenario.settle()
    assert scenario.texted() == [FALLBACK]
    [sms] = scenario.fake.messages()
    assert "kom for sent" in sms.body and "/a/" not in sms.body and "OK " in sms.body


async def test_an_impossible_date_still_pages_with_the_plain_text(
    scenario: Scenario, state: AppState, caplog: pytest.LogCaptureFixture
) -> None:
    """Intake refuses such dates; a row that has one anyway must not stop the worker."""
    await escalating_team(scenario)
    alert_id = await scenario.alert()
    other = await scenario.alert()
    occurred_at = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)  # Oslo time overflows
    async with state.sessions() as session, session.begin():
        await session.execute(
            text("UPDATE escalation_state SET occurred_at = :at WHERE alert_id = :id"),
            {
                "at": occurred_at.replace(tzinfo=None) if state.settings.is_sqlite else occurred_at,
                "id": alert_id.hex if state.settings.is_sqlite else alert_id,
            },
        )
    with caplog.at_level(logging.ERROR):
        await scenario.settle()
    assert scenario.texted() == [scenario.mobile(0)] * 2, (
        "both alerts paged, the broken one included"
    )
    usual, plain = sorted((m.body for m in scenario.fake.messages()), key=lambda b: "." in b[:15])
    assert usual.startswith("Overdosevarsel Fredrikstad"), "the other alert as usual"
    assert plain.startswith("Overdosevarsel. Bekreft: ") and plain.endswith(
        tuple(f"OK {n}" for n in range(1000, 10000))
    )
    assert "sms text could not be rendered; sending the plain text" in caplog.messages
    assert await escalation_status(state, other) == "active"
    await scenario.fast_forward(timedelta(minutes=5))
    assert scenario.texted() == [scenario.mobile(0)] * 2 + [scenario.mobile(1)] * 2


class ReportsFirst:
    """A sender whose send returns only after the provider's delivery reports have been
    handled: the callback comes before the dispatcher can store the provider's id."""

    def __init__(self, inner: SmsSender, fake: FakeTwilio) -> None:
        self.inner, self.fake = inner, fake

    async def send(self, message: SmsMessage) -> SendResult:
        result = await self.inner.send(message)
        await self.fake.wait_for_callbacks()
        return result

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_a_failure_report_before_the_send_returns_still_escalates(
    scenario: Scenario, state: AppState
) -> None:
    await escalating_team(scenario)
    scenario.fake.set_behaviour(scenario.mobile(0), "fail_callback")
    alert_id = await scenario.alert()
    worker = state.worker
    replaced = worker.engines.index(worker.dispatcher)
    worker.dispatcher = Dispatcher(
        sessions=state.sessions,
        sender=ReportsFirst(state.sender, scenario.fake),
        clock=scenario.clock,
        settings=state.settings,
        outcomes=state.outcomes,
    )
    worker.engines[replaced] = worker.dispatcher
    # No clock movement: the report, matched by our id, moves the escalation on at once.
    await scenario.settle()
    assert scenario.texted() == [scenario.mobile(0), scenario.mobile(1)]
    async with state.engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT to_number, status, provider_id IS NOT NULL, sent_at IS NOT NULL "
                    "FROM outbox_message ORDER BY created_at, to_number"
                )
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        (scenario.mobile(0), "failed", True, True),
        (scenario.mobile(1), "delivered", True, True),
    ]
    callbacks = [m.status_callback for m in scenario.fake.messages()]
    assert all(c and STATUS_CALLBACK_PATH + "/" in c for c in callbacks), callbacks
    assert (await scenario.alert_status(alert_id))["status"] == "notified"


async def test_a_report_to_a_message_url_needs_the_signature_of_that_url(
    scenario: Scenario, http: httpx.AsyncClient, state: AppState
) -> None:
    await escalating_team(scenario)
    await scenario.alert()
    await scenario.settle()
    [message] = scenario.fake.messages()
    assert message.status_callback is not None
    url = message.status_callback
    params = {"MessageSid": message.sid, "MessageStatus": "failed", "ErrorCode": "30003"}
    other_url = state.settings.http.public_base_url + STATUS_CALLBACK_PATH + f"/{uuid.uuid4()}"
    signed_elsewhere = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(other_url, params)
    response = await http.post(url, data=params, headers={"X-Twilio-Signature": signed_elsewhere})
    assert_problem(response, 403)
    assert_problem(await http.post(url, data=params), 403)
    # Signed for this URL: a delivered message stays delivered, a later failure changes nothing.
    good = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(url, params)
    assert (
        await http.post(url, data=params, headers={"X-Twilio-Signature": good})
    ).status_code == 204
    await scenario.settle()
    assert scenario.texted() == [scenario.mobile(0)]
    not_ours = url.rsplit("/", 1)[0] + "/not-a-message"
    signature = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(not_ours, params)
    response = await http.post(not_ours, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 204


def test_the_plain_text_is_one_gsm7_segment() -> None:
    link = "https://odvarsel.fredrikstad.kommune.no/a/Xk3j9Q"
    assert texts.plain_text(link=link, reply_code="Q7Z9K2", language="en") == (
        f"Overdose alert. Acknowledge: {link} or reply OK Q7Z9K2"
    )
    assert texts.plain_text(link="not a link", reply_code="4711") == (
        "Overdosevarsel. Svar OK 4711 for å bekrefte."
    )
    assert texts.plain_text() == "Overdosevarsel."
