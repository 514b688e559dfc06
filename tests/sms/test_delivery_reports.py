"""Delivery reports through the signed status callback: a late or replayed report never
moves a final message back (here a `delivered` after `undelivered`)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from twilio.request_validator import RequestValidator

from app.notify.dispatcher import STATUS_CALLBACK_PATH
from app.state import AppState
from tests.scenario import Scenario
from tests.sms.conftest import TWILIO_AUTH_TOKEN
from tests.sms.test_escalation_scenarios import escalating_team


async def outbox_rows(state: AppState) -> list[tuple[str, str, str | None]]:
    async with state.engine.connect() as connection:
        result = await connection.execute(
            text(
                "SELECT to_number, status, last_error FROM outbox_message "
                "ORDER BY created_at, to_number"
            )
        )
        return [(to, status, error) for to, status, error in result]


@pytest.mark.parametrize("by_our_id", [True, False], ids=["message-url", "old-url-by-sid"])
async def test_a_late_delivered_report_leaves_an_undelivered_message_failed(
    scenario: Scenario, state: AppState, by_our_id: bool
) -> None:
    await escalating_team(scenario)
    scenario.fake.set_behaviour(scenario.mobile(0), "undelivered")
    await scenario.alert()
    # The failure moves the escalation on at once: the second step is paged.
    await scenario.settle()
    assert scenario.texted() == [scenario.mobile(0), scenario.mobile(1)]
    before = await outbox_rows(state)
    assert before[0][:2] == (scenario.mobile(0), "failed")

    failed = scenario.fake.messages()[0]
    assert failed.status_callback is not None
    url = (
        failed.status_callback
        if by_our_id
        else state.settings.http.public_base_url + STATUS_CALLBACK_PATH
    )
    params = {"MessageSid": failed.sid, "MessageStatus": "delivered", "To": failed.to}
    signature = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(url, params)
    response = await scenario.http.post(url, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 204
    await scenario.settle()
    assert scenario.texted() == [scenario.mobile(0), scenario.mobile(1)]
    assert await outbox_rows(state) == before, "failed is final"
