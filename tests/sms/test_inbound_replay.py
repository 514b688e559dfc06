"""A captured signed inbound SMS replayed: Twilio's signature has no time in it, so the
service remembers each MessageSid and answers a repeat with empty TwiML, changing nothing."""

from __future__ import annotations

import re
import secrets

import httpx
from twilio.request_validator import RequestValidator

from app.answers.inbound_router import INBOUND_PATH
from app.auth.scopes import Scope
from tests.problems import assert_problem
from tests.scenario import Scenario
from tests.sms.conftest import TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN
from tests.sms.test_escalation_scenarios import escalating_team

OUR_NUMBER = "+4759440000"


class Captured:
    """One inbound SMS as Twilio signs and posts it, which can be posted again unchanged."""

    def __init__(self, scenario: Scenario, from_: str, body: str, **fields: str) -> None:
        self.url = scenario.state.settings.http.public_base_url + INBOUND_PATH
        sid = "SM" + secrets.token_hex(16)
        self.params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": TWILIO_ACCOUNT_SID,
            "From": from_,
            "To": OUR_NUMBER,
            "Body": body,
            "NumMedia": "0",
            "ApiVersion": "2010-04-01",
            **fields,
        }
        signature = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(self.url, self.params)
        self.headers = {"X-Twilio-Signature": signature}

    async def post(self) -> httpx.Response:
        async with httpx.AsyncClient() as client:
            return await client.post(self.url, data=self.params, headers=self.headers)


def messages_in(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return re.findall(r"<Message>(.*?)</Message>", response.text)


async def opted_out(scenario: Scenario, index: int) -> bool:
    team = scenario.teams[0]
    response = await scenario.request("GET", f"/v1/admin/teams/{team.team_id}/members", Scope.ADMIN)
    member_id = str(scenario.member(index))
    [member] = [m for m in response.json() if m["id"] == member_id]
    return member["sms_opted_out_at"] is not None


async def test_a_replayed_stop_does_not_stop_the_number_again(
    scenario: Scenario,
) -> None:
    await escalating_team(scenario)
    stop = Captured(scenario, scenario.mobile(0), "STOP")
    assert messages_in(await stop.post()) == []
    assert await opted_out(scenario, 0)
    assert messages_in(await Captured(scenario, scenario.mobile(0), "START").post()) == []
    assert not await opted_out(scenario, 0)

    replayed = await stop.post()
    assert messages_in(replayed) == [] and "<Response" in replayed.text
    assert not await opted_out(scenario, 0), "the member is still on duty"


async def test_a_replayed_reply_answers_nothing_and_records_nothing(
    scenario: Scenario,
) -> None:
    await escalating_team(scenario)
    alert_id = await scenario.alert()
    await scenario.settle()
    [page] = scenario.fake.messages()
    code = re.findall(r"OK (\d{4,6})", page.body)[0]
    reply = Captured(scenario, scenario.mobile(0), f"OK {code} 20")
    assert "du har tatt varselet" in messages_in(await reply.post())[0]
    events = (await scenario.alert_status(alert_id))["timeline"]

    assert messages_in(await reply.post()) == []
    assert (await scenario.alert_status(alert_id))["timeline"] == events
    help_ = Captured(scenario, scenario.mobile(0), "HJELP")
    assert len(messages_in(await help_.post())) == 1
    assert messages_in(await help_.post()) == [], "every kind of message, not only STOP"


async def test_a_message_without_its_sid_is_refused(
    scenario: Scenario,
) -> None:
    await escalating_team(scenario)
    stop = Captured(scenario, scenario.mobile(0), "STOP", MessageSid="", SmsSid="")
    problem = assert_problem(await stop.post(), 422)
    assert problem["errors"][0]["field"] == "MessageSid"
    assert not await opted_out(scenario, 0)
