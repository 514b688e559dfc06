"""Replies to the alert SMS, posted by the fake Twilio to the inbound webhook as Twilio would."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx

from app.answers.inbound_router import INBOUND_PATH
from devtools.fake_twilio import InboundReply
from devtools.webhook_receiver import WebhookReceiver
from tests.scenario import Scenario
from tests.web.conftest import paging_team
from tests.webhooks.support import ClockedWebhook, create_endpoint

OUR_NUMBER = "+4759440000"


def code_in(body: str) -> str:
    match = re.search(r"OK (\d{4,6})", body)
    assert match, "no reply code in the SMS"
    return match.group(1)


async def reply(desk: Scenario, from_: str, body: str, *, forge: bool = False) -> InboundReply:
    url = desk.state.settings.http.public_base_url + INBOUND_PATH
    return await desk.fake.send_inbound(url=url, from_=from_, to=OUR_NUMBER, body=body, forge=forge)


async def test_the_right_code_from_a_paged_number_takes_the_alert(
    desk: Scenario, http: httpx.AsyncClient
) -> None:
    await paging_team(desk)
    alert_id = await desk.alert()
    await desk.settle()
    code = code_in(desk.sms_to(0)[0])

    answer = await reply(desk, desk.mobile(0), f"  ok{code} ")
    assert answer.status == 200 and "du har tatt varselet" in answer.messages[0]
    status = await desk.alert_status(alert_id)
    assert status["status"] == "acknowledged"
    assert status["acknowledged_by"]["name"] == "Ada Lund"
    assert status["timeline"][-1]["via"] == "sms"
    await desk.fast_forward(timedelta(minutes=30))
    assert not desk.sms_to(1), "the escalation stopped: the second step never paged"


async def test_a_reply_can_carry_the_answer_to_the_crew(
    desk: Scenario, http: httpx.AsyncClient
) -> None:
    await paging_team(desk)
    alert_id = await desk.alert()
    await desk.settle()
    code = code_in(desk.sms_to(0)[0])
    answer = await reply(desk, desk.mobile(0), f"OK {code} 20")
    assert "Kommer, ca. 20 min" in answer.messages[0]
    await desk.settle()
    assert (await desk.alert_status(alert_id))["answer"]["minutes"] == 20
    to_reporter = [m.body for m in desk.fake.messages() if m.to == "+4769000000"]
    assert any("Kommer, ca. 20 min" in body for body in to_reporter)


async def test_wrong_number_unknown_code_expired_and_taken_each_get_their_answer(
    desk: Scenario, http: httpx.AsyncClient
) -> None:
    await paging_team(desk)
    alert_id = await desk.alert()
    await desk.settle()
    code = code_in(desk.sms_to(0)[0])

    not_paged = await reply(desk, desk.mobile(2), f"OK {code}")
    assert "passer ikke" in not_paged.messages[0]
    stranger = await reply(desk, "+4799999999", f"OK {code}")
    assert "passer ikke" in stranger.messages[0]
    wrong = await reply(desk, desk.mobile(0), "OK 0000")
    assert "passer ikke" in wrong.messages[0]
    gibberish = await reply(desk, desk.mobile(0), "hei hei")
    assert "Forstod ikke" in gibberish.messages[0]
    assert (await desk.alert_status(alert_id))["status"] == "notified"

    await desk.fast_forward(timedelta(minutes=5))  # member 1 is paged with the same code
    first = await reply(desk, desk.mobile(1), f"OK {code}")
    assert "du har tatt" in first.messages[0]
    second = await reply(desk, desk.mobile(0), f"OK {code}")
    assert "allerede tatt av Bo Dahl" in second.messages[0]

    desk.clock.advance(timedelta(hours=desk.state.settings.links.expiry_hours))
    expired = await reply(desk, desk.mobile(0), f"OK {code}")
    assert "utløpt" in expired.messages[0]


async def test_a_forged_webhook_is_refused(desk: Scenario, http: httpx.AsyncClient) -> None:
    await paging_team(desk)
    alert_id = await desk.alert()
    await desk.settle()
    code = code_in(desk.sms_to(0)[0])
    forged = await reply(desk, desk.mobile(0), f"OK {code}", forge=True)
    assert forged.status == 403
    assert (await desk.alert_status(alert_id))["status"] == "notified"


async def test_stop_makes_a_roster_hole_and_start_ends_it(
    desk: Scenario, http: httpx.AsyncClient
) -> None:
    team = await paging_team(desk)
    admin = await desk.factory.admin_client()
    on_duty = f"/v1/admin/teams/{team.team_id}/on-duty"
    holes = f"/v1/admin/teams/{team.team_id}/roster-holes?days=1"

    stop = await reply(desk, desk.mobile(0), "STOP")
    assert stop.status == 200 and stop.messages == [], "Twilio confirms STOP itself"
    assert (await http.get(on_duty, headers=admin.headers)).json()["on_duty"] == []
    reported = (await http.get(holes, headers=admin.headers)).json()
    assert reported["holes"] and [m["name"] for m in reported["stopped_sms"]] == ["Ada Lund"]
    members = await http.get(f"/v1/admin/teams/{team.team_id}/members", headers=admin.headers)
    stopped = [m for m in members.json() if m["id"] == str(team.member_ids[0])]
    assert stopped[0]["sms_opted_out_at"] is not None

    assert "STOP" in (await reply(desk, desk.mobile(0), "help")).messages[0]
    start = await reply(desk, desk.mobile(0), "Start")
    assert start.messages == []
    duty = (await http.get(on_duty, headers=admin.headers)).json()["on_duty"]
    assert [m["id"] for m in duty] == [str(team.member_ids[0])]
    assert (await http.get(holes, headers=admin.headers)).json()["holes"] == []
    assert (await http.get(holes, headers=admin.headers)).json()["stopped_sms"] == []


async def test_a_dispatch_system_that_was_down_gets_every_answer_once_back(
    desk: Scenario, http: httpx.AsyncClient
) -> None:
    await paging_team(desk)
    receiver = WebhookReceiver()
    async with receiver.serving() as url:
        secret = await create_endpoint(http, await desk.client(), url)
        receiver.down()
        await desk.alert()
        await desk.settle()
        code = code_in(desk.sms_to(0)[0])
        await reply(desk, desk.mobile(0), f"OK {code} 30")
        await desk.settle()
        assert receiver.refused and not receiver.received
        await desk.fast_forward(timedelta(minutes=2))  # retried with backoff while it is down
        refused = len(receiver.refused)
        assert refused >= 2
        receiver.up()
        verifier = ClockedWebhook(secret, desk.clock)
        events: list[dict[str, Any]] = []
        for _ in range(10):  # each retry is due a little later than the one before
            await desk.fast_forward(timedelta(minutes=5))
            # verified as they arrive: the signature's time is the attempt's
            events += [verifier.verify(w.body, w.headers) for w in receiver.received[len(events) :]]
    assert [e["type"] for e in events] == ["alert.acknowledged", "alert.answered"]
    assert events[1]["data"]["answer"]["text"] == "Kommer, ca. 30 min"
    assert len({w.webhook_id for w in receiver.received}) == 2, "each once"
