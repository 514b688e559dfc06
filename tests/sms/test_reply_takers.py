"""Who may take an alert by SMS: signed replies through the inbound webhook, as Twilio posts
them. Only an active member paged for the alert and still on its team, or the team's fallback
number, takes it; anyone else is told so, and the escalation goes on as if nobody replied."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from app.answers.inbound_router import INBOUND_PATH
from app.clock import FakeClock
from app.escalation.policy.rules import Policy, Step, StepTarget, TargetKind
from app.state import AppState
from devtools.fake_twilio import FakeTwilio, InboundReply
from tests.factories import ApiCredentials, Factory
from tests.sms.test_escalation_scenarios import FALLBACK, Scenario

OUR_NUMBER = "+4759440000"
REFUSED = "kan ikke lenger ta varselet"
NAMES = ("Ada", "Bo", "Cy", "Lund", "Dahl", "Moe")


@pytest.fixture
def scenario(
    factory: Factory, state: AppState, fake_twilio: FakeTwilio, clock: FakeClock
) -> Scenario:
    return Scenario(factory, state, fake_twilio, clock)


def code_sent_to(scenario: Scenario, number: str) -> str:
    bodies = [m.body for m in scenario.fake.messages() if m.to == number]
    match = re.search(r"OK (\d{4,6})", bodies[0]) if bodies else None
    assert match, f"no reply code texted to {number}"
    return match.group(1)


async def reply(scenario: Scenario, from_: str, body: str) -> InboundReply:
    url = scenario.state.settings.http.public_base_url + INBOUND_PATH
    answer = await scenario.fake.send_inbound(url=url, from_=from_, to=OUR_NUMBER, body=body)
    assert answer.status == 200
    return answer


async def alert_status(
    scenario: Scenario, http: httpx.AsyncClient, alert_id: uuid.UUID
) -> dict[str, Any]:
    assert scenario.amk is not None
    response = await http.get(f"/v1/alerts/{alert_id}", headers=scenario.amk.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def deactivate(
    http: httpx.AsyncClient, admin: ApiCredentials, team_id: uuid.UUID, member_id: uuid.UUID
) -> None:
    url = f"/v1/admin/teams/{team_id}/members/{member_id}/deactivate"
    response = await http.post(url, headers=admin.headers)
    assert response.status_code == 200, response.text


async def assert_refused_and_escalation_goes_on(
    scenario: Scenario, http: httpx.AsyncClient, alert_id: uuid.UUID, answer: InboundReply
) -> None:
    [text] = answer.messages
    assert REFUSED in text and "tatt" not in text
    assert not any(name in text for name in NAMES), "no personal data in the answer"
    assert (await alert_status(scenario, http, alert_id))["status"] == "notified"
    texted = await scenario.advance(5)
    assert texted[-1] == scenario.mobile(1), "the next step is paged as if nobody replied"
    assert not any("tatt av" in m.body for m in scenario.fake.messages())


async def test_a_deactivated_member_cannot_take_the_alert_by_sms(
    scenario: Scenario, http: httpx.AsyncClient
) -> None:
    team = await scenario.setup()
    alert_id = await scenario.post_alert()
    assert await scenario.settle() == [scenario.mobile(0)]
    admin = await scenario.factory.admin_client()
    await deactivate(http, admin, team.team_id, team.member_ids[0])

    code = code_sent_to(scenario, scenario.mobile(0))
    answer = await reply(scenario, scenario.mobile(0), f"OK {code} 20")
    await assert_refused_and_escalation_goes_on(scenario, http, alert_id, answer)


async def test_a_member_moved_to_another_team_cannot_take_the_alert_by_sms(
    scenario: Scenario, http: httpx.AsyncClient
) -> None:
    team = await scenario.setup()
    alert_id = await scenario.post_alert()
    assert await scenario.settle() == [scenario.mobile(0)]
    # A move is the member's end in one team and a new member, same mobile, in the other.
    oslo = await scenario.factory.team(municipality="0301", name="Oslo", member_names=())
    admin = await scenario.factory.admin_client(municipalities=("3107", "0301"))
    await deactivate(http, admin, team.team_id, team.member_ids[0])
    moved = {"name": "Ada Lund", "mobile": scenario.mobile(0), "role": "sykepleier"}
    response = await http.post(
        f"/v1/admin/teams/{oslo.team_id}/members", json=moved, headers=admin.headers
    )
    assert response.status_code == 201, response.text

    code = code_sent_to(scenario, scenario.mobile(0))
    answer = await reply(scenario, scenario.mobile(0), f"OK {code}")
    await assert_refused_and_escalation_goes_on(scenario, http, alert_id, answer)


async def test_a_number_not_paged_for_the_alert_takes_nothing(
    scenario: Scenario, http: httpx.AsyncClient
) -> None:
    await scenario.setup()
    alert_id = await scenario.post_alert()
    await scenario.settle()
    code = code_sent_to(scenario, scenario.mobile(0))
    for number in (scenario.mobile(2), FALLBACK, "+4799999999"):
        answer = await reply(scenario, number, f"OK {code}")
        assert "passer ikke" in answer.messages[0]
    assert (await alert_status(scenario, http, alert_id))["status"] == "notified"


async def test_the_fallback_number_still_takes_the_alert(
    scenario: Scenario, http: httpx.AsyncClient
) -> None:
    await scenario.setup(on_duty=False)  # a roster hole pages the fallback number at once
    alert_id = await scenario.post_alert()
    assert FALLBACK in await scenario.settle()
    answer = await reply(scenario, FALLBACK, f"OK {code_sent_to(scenario, FALLBACK)}")
    assert "du har tatt varselet" in answer.messages[0]
    status = await alert_status(scenario, http, alert_id)
    assert status["status"] == "acknowledged" and status["acknowledged_by"] is None


async def test_a_number_no_longer_the_fallback_takes_nothing(
    scenario: Scenario, http: httpx.AsyncClient
) -> None:
    team = await scenario.setup(on_duty=False)
    alert_id = await scenario.post_alert()
    assert FALLBACK in await scenario.settle()
    on_duty = Step(targets=(StepTarget(TargetKind.ON_DUTY),), delay_minutes=5)
    policy = Policy(steps=(on_duty,), repeat=0, fallback_number="+4790000008")
    await scenario.factory.set_policy(team.team_id, policy)

    answer = await reply(scenario, FALLBACK, f"OK {code_sent_to(scenario, FALLBACK)}")
    assert REFUSED in answer.messages[0]
    assert (await alert_status(scenario, http, alert_id))["status"] == "notified"


async def test_an_active_paged_member_still_takes_the_alert(
    scenario: Scenario, http: httpx.AsyncClient
) -> None:
    await scenario.setup()
    alert_id = await scenario.post_alert()
    await scenario.settle()
    code = code_sent_to(scenario, scenario.mobile(0))
    answer = await reply(scenario, scenario.mobile(0), f"OK {code}")
    assert "du har tatt varselet" in answer.messages[0]
    status = await alert_status(scenario, http, alert_id)
    assert status["status"] == "acknowledged"
    assert status["acknowledged_by"]["name"] == "Ada Lund"
    assert await scenario.advance(10) == [scenario.mobile(0)], "nobody else is paged"
