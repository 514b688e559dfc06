"""Who may take an alert by SMS: signed replies through the inbound webhook, as Twilio posts
them. Only an active member paged for the alert and still on its team, or the team's fallback
number, takes it; anyone else is told so, and the escalation goes on as if nobody replied."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from app.answers.inbound_router import INBOUND_PATH
from app.auth.scopes import Scope
from devtools.fake_twilio import InboundReply
from tests.scenario import Scenario, page_on_duty
from tests.sms.test_escalation_scenarios import FALLBACK, escalating_team

OUR_NUMBER = "+4759440000"
REFUSED = "kan ikke lenger ta varselet"
NAMES = ("Ada", "Bo", "Cy", "Lund", "Dahl", "Moe")
BOTH = ("3107", "0301")


def code_sent_to(scenario: Scenario, number: str) -> str:
    bodies = scenario.sms_to(number)
    match = re.search(r"OK (\d{4,6})", bodies[0]) if bodies else None
    assert match, f"no reply code texted to {number}"
    return match.group(1)


async def reply(scenario: Scenario, from_: str, body: str) -> InboundReply:
    url = scenario.state.settings.http.public_base_url + INBOUND_PATH
    answer = await scenario.fake.send_inbound(url=url, from_=from_, to=OUR_NUMBER, body=body)
    assert answer.status == 200
    return answer


async def deactivate(
    scenario: Scenario,
    team_id: uuid.UUID,
    member_id: uuid.UUID,
    municipalities: tuple[str, ...] | None = None,
) -> None:
    url = f"/v1/admin/teams/{team_id}/members/{member_id}/deactivate"
    response = await scenario.request("POST", url, Scope.ADMIN, municipalities=municipalities)
    assert response.status_code == 200, response.text


async def assert_refused_and_escalation_goes_on(
    scenario: Scenario, alert_id: uuid.UUID, answer: InboundReply
) -> None:
    [text] = answer.messages
    assert REFUSED in text and "tatt" not in text
    assert not any(name in text for name in NAMES), "no personal data in the answer"
    assert (await scenario.alert_status(alert_id))["status"] == "notified"
    await scenario.fast_forward(timedelta(minutes=5))
    texted = scenario.texted()
    assert texted[-1] == scenario.mobile(1), "the next step is paged as if nobody replied"
    assert not any("tatt av" in body for _, body in scenario.sms())


async def test_a_deactivated_member_cannot_take_the_alert_by_sms(scenario: Scenario) -> None:
    team = await escalating_team(scenario)
    alert_id = await scenario.alert()
    await scenario.settle()
    assert scenario.texted() == [scenario.mobile(0)]
    await deactivate(scenario, team.team_id, team.member_ids[0])

    code = code_sent_to(scenario, scenario.mobile(0))
    answer = await reply(scenario, scenario.mobile(0), f"OK {code} 20")
    await assert_refused_and_escalation_goes_on(scenario, alert_id, answer)


async def test_a_member_moved_to_another_team_cannot_take_the_alert_by_sms(
    scenario: Scenario,
) -> None:
    team = await escalating_team(scenario)
    alert_id = await scenario.alert()
    await scenario.settle()
    assert scenario.texted() == [scenario.mobile(0)]
    # A move is the member's end in one team and a new member, same mobile, in the other.
    oslo = await scenario.team(municipality="0301", name="Oslo", member_names=())
    await deactivate(scenario, team.team_id, team.member_ids[0], municipalities=BOTH)
    moved = {"name": "Ada Lund", "mobile": scenario.mobile(0), "role": "sykepleier"}
    response = await scenario.request(
        "POST",
        f"/v1/admin/teams/{oslo.team_id}/members",
        Scope.ADMIN,
        municipalities=BOTH,
        json=moved,
    )
    assert response.status_code == 201, response.text

    code = code_sent_to(scenario, scenario.mobile(0))
    answer = await reply(scenario, scenario.mobile(0), f"OK {code}")
    await assert_refused_and_escalation_goes_on(scenario, alert_id, answer)


async def test_a_number_not_paged_for_the_alert_takes_nothing(scenario: Scenario) -> None:
    await escalating_team(scenario)
    alert_id = await scenario.alert()
    await scenario.settle()
    code = code_sent_to(scenario, scenario.mobile(0))
    for number in (scenario.mobile(2), FALLBACK, "+4799999999"):
        answer = await reply(scenario, number, f"OK {code}")
        assert "passer ikke" in answer.messages[0]
    assert (await scenario.alert_status(alert_id))["status"] == "notified"


async def test_the_fallback_number_still_takes_the_alert(scenario: Scenario) -> None:
    await escalating_team(scenario, on_duty=False)  # a roster hole pages the fallback at once
    alert_id = await scenario.alert()
    await scenario.settle()
    assert FALLBACK in scenario.texted()
    answer = await reply(scenario, FALLBACK, f"OK {code_sent_to(scenario, FALLBACK)}")
    assert "du har tatt varselet" in answer.messages[0]
    status = await scenario.alert_status(alert_id)
    assert status["status"] == "acknowledged" and status["acknowledged_by"] is None


async def test_a_number_no_longer_the_fallback_takes_nothing(scenario: Scenario) -> None:
    await escalating_team(scenario, on_duty=False)
    alert_id = await scenario.alert()
    await scenario.settle()
    assert FALLBACK in scenario.texted()
    await scenario.policy(page_on_duty(), repeat=0, fallback_number="+4790000008")

    answer = await reply(scenario, FALLBACK, f"OK {code_sent_to(scenario, FALLBACK)}")
    assert REFUSED in answer.messages[0]
    assert (await scenario.alert_status(alert_id))["status"] == "notified"


async def test_an_active_paged_member_still_takes_the_alert(scenario: Scenario) -> None:
    await escalating_team(scenario)
    alert_id = await scenario.alert()
    await scenario.settle()
    code = code_sent_to(scenario, scenario.mobile(0))
    answer = await reply(scenario, scenario.mobile(0), f"OK {code}")
    assert "du har tatt varselet" in answer.messages[0]
    status = await scenario.alert_status(alert_id)
    assert status["status"] == "acknowledged"
    assert status["acknowledged_by"]["name"] == "Ada Lund"
    await scenario.fast_forward(timedelta(minutes=10))
    assert scenario.texted() == [scenario.mobile(0)], "nobody else is paged"
