"""The serious-event report asks whether the death may follow from the service (issue 20
item 10, docs/rules.md "The serious-event report"): a pure table of what a record needs, and
over HTTP the answer recorded on a fatal case, with the duty to notify Helsetilsynet."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI

from app.clock import FakeClock
from app.followup.serious_event import DUTY, Answer, Question, duty_applies, record_problems
from app.state import AppState
from tests.factories import Factory, alert_body
from tests.followup.test_followup_cases import ADA, alert, desk, read_case, record, steps_of, take
from tests.problems import assert_problem
from tests.scenario import Scenario
from tests.staff_auth import browser_client, csrf_of
from tests.web.test_case_pages import open_case, signed_in, step_section, step_state

__all__ = ["desk"]

ASKS = Question.SERVICE_RELATED_DEATH


@pytest.mark.parametrize(
    ("question", "done", "answer", "notified", "fields"),
    [
        (ASKS, True, Answer.YES, True, []),
        (ASKS, True, Answer.YES, False, []),  # recorded: not notified (yet)
        (ASKS, True, Answer.YES, None, ["helsetilsynet_notified"]),
        (ASKS, True, Answer.NO, None, []),
        (ASKS, True, Answer.UNKNOWN, None, []),
        (ASKS, True, Answer.NO, True, ["helsetilsynet_notified"]),
        (ASKS, True, None, None, ["answer"]),
        (ASKS, False, None, None, []),  # not reached, reopened: no answer yet
        (ASKS, False, Answer.YES, None, ["answer"]),
        (None, True, None, None, []),
        (None, True, Answer.NO, None, ["answer"]),
        (None, True, None, False, ["helsetilsynet_notified"]),
    ],
)
def test_what_a_record_needs(
    question: Question | None,
    done: bool,
    answer: Answer | None,
    notified: bool | None,
    fields: list[str],
) -> None:
    problems = record_problems(question, done=done, answer=answer, notified=notified)
    assert [field for field, _ in problems] == fields


@pytest.mark.parametrize(
    ("answer", "applies"),
    [(Answer.YES, True), (Answer.NO, False), (Answer.UNKNOWN, False), (None, False)],
)
def test_the_duty_follows_yes(answer: Answer | None, applies: bool) -> None:
    assert duty_applies(answer) is applies


def test_the_duty_names_both_provisions() -> None:
    assert "helsetilsyn" in DUTY and "§ 3-3 a" in DUTY and "§ 12-3 a" in DUTY


async def fatal_case(desk: Scenario) -> uuid.UUID:
    alert_id = await alert(desk, kind="fatal", clinical={"outcome": "deceased"})
    return await take(desk, alert_id, desk.member(ADA))


async def test_the_answer_and_the_duty_are_recorded(desk: Scenario) -> None:
    case_id = await fatal_case(desk)
    step = steps_of(await read_case(desk, case_id))["serious_event_report"]
    assert step["asks"] == "service_related_death" and step["duty"] is None
    assert "helsetilsyn" in step["guidance"]

    url_key = "serious_event_report"
    missing = await record(desk, case_id, url_key, "done", outcome="Meldt")
    assert assert_problem(missing, 422)["errors"][0]["field"] == "answer"
    unsaid = await record(desk, case_id, url_key, "done", answer="yes")
    assert assert_problem(unsaid, 422)["errors"][0]["field"] == "helsetilsynet_notified"

    recorded = await record(
        desk,
        case_id,
        url_key,
        "done",
        outcome="Meldt til kvalitetsutvalget",
        answer="yes",
        helsetilsynet_notified=True,
    )
    assert recorded.status_code == 200, recorded.text
    step = steps_of(recorded.json())[url_key]
    assert step["state"] == "done" and step["answer"] == "yes"
    assert step["duty"] == DUTY and step["helsetilsynet_notified"] is True
    again = steps_of(await read_case(desk, case_id))[url_key]
    assert (again["answer"], again["helsetilsynet_notified"]) == ("yes", True)


async def test_other_steps_take_no_answer(desk: Scenario) -> None:
    case_id = await fatal_case(desk)
    refused = await record(desk, case_id, "assess", "done", answer="no")
    assert assert_problem(refused, 422)["errors"][0]["field"] == "answer"
    answered = await record(
        desk,
        case_id,
        "serious_event_report",
        "done",
        answer="unknown",
    )
    step = steps_of(answered.json())["serious_event_report"]
    assert (step["answer"], step["duty"], step["helsetilsynet_notified"]) == ("unknown", None, None)


async def test_the_leader_answers_on_the_case_page(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock
) -> None:
    team = await factory.team()

    def fatal_body(**fields: Any) -> dict[str, Any]:
        return alert_body(kind="fatal", clinical={"outcome": "deceased"}, **fields)

    case_id = await open_case(factory, state, clock, team, taker=0, body_of=fatal_body)
    async with browser_client(app) as ada:
        await signed_in(ada, state, clock, team, 0)
        page = await ada.get(f"/a/cases/{case_id}")
        report = step_section(page.text, "serious_event_report")
        assert "sammenheng med tjenesten" in report and 'name="answer" value="yes"' in report
        url = f"/a/cases/{case_id}/steps/serious_event_report"
        token = csrf_of(page.text)
        unsaid = await ada.post(url, data={"csrf": token, "action": "done", "answer": "yes"})
        assert unsaid.status_code == 422
        assert await step_state(state, case_id, "serious_event_report") == ("open", None)
        answered = await ada.post(
            url, data={"csrf": token, "action": "done", "answer": "yes", "notified": "yes"}
        )
        assert answered.status_code == 303, answered.text
        after = step_section((await ada.get(f"/a/cases/{case_id}")).text, "serious_event_report")
        assert "Helsetilsynet er varslet." in after and "§ 12-3 a" in after
