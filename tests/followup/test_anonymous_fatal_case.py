"""An objected fatal alert opens an anonymous fatal case (docs/rules.md, "Objected fatal
alerts: the anonymous case"): the steps that need no identity, and nothing identifying."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from app.followup import anonymous
from app.followup.template_schema import (
    Condition,
    FollowupTemplate,
    OwnerRole,
    StepTemplate,
    TemplateKind,
)
from app.followup.templates.defaults import default_template
from tests.alerts.test_objected_alerts import whole_hours
from tests.followup.test_followup_cases import ADA, case_api, desk, read_case, steps_of
from tests.personal_data import NAME, NATIONAL_ID, RECOGNISABLE, personal_body, raw_rows
from tests.scenario import Scenario

__all__ = ["desk"]

# The staff debrief (hpl § 29 c) is the leader's and needs no identity: it stays.
ANONYMOUS_STEPS = ["assess", "peer_outreach", "serious_event_report", "staff_debrief", "review"]


def _step(owner: OwnerRole, condition: Condition | None) -> StepTemplate:
    return StepTemplate.model_validate(
        {
            "key": "s",
            "title": "Steg",
            "kind": "task",
            "owner": owner.value,
            "offset_hours": 1,
            **({"condition": condition.value} if condition else {}),
        }
    )


@pytest.mark.parametrize(
    ("owner", "condition", "kept"),
    [
        (OwnerRole.LEADER, None, True),
        (OwnerRole.LEADER, Condition.OTHERS_PRESENT, True),
        (OwnerRole.TEAM, Condition.OTHERS_PRESENT, True),
        (OwnerRole.TEAM, None, False),
        (OwnerRole.TAKER, None, False),
        (OwnerRole.LEADER, Condition.CHILDREN_IN_HOUSEHOLD, False),
        (OwnerRole.TEAM, Condition.CHILDREN_IN_HOUSEHOLD, False),
        (OwnerRole.LEADER, Condition.RELATIVES_KNOWN, False),
        (OwnerRole.TEAM, Condition.HOMELESS, False),
    ],
)
def test_a_step_is_kept_only_if_it_needs_no_identity(
    owner: OwnerRole, condition: Condition | None, kept: bool
) -> None:
    assert anonymous.needs_no_identity(_step(owner, condition)) is kept


def test_the_default_fatal_template_keeps_review_report_and_peers() -> None:
    template: FollowupTemplate = default_template(TemplateKind.FATAL)
    kept = anonymous.anonymous_template(template)
    assert [s.key for s in kept.steps] == ANONYMOUS_STEPS
    assert all(s.condition is None for s in kept.steps)


async def test_an_objected_fatal_alert_opens_an_anonymous_fatal_case(desk: Scenario) -> None:
    body = personal_body(consent={"state": "objected"}, kind="fatal")
    body["clinical"] = {**body["clinical"], "outcome": "deceased"}
    alert_id = await desk.alert(body=body, ago=timedelta(minutes=20), naloxone=False)
    status = await desk.alert_status(alert_id)
    assert status["triage"]["action"] == "no_page", "nobody is paged"
    await desk.settle()

    [listed] = (await case_api(desk, "GET", "")).json()
    assert (listed["alert_id"], listed["kind"], listed["anonymous"]) == (
        str(alert_id),
        "fatal",
        True,
    )
    case = await read_case(desk, uuid.UUID(listed["id"]))
    assert list(steps_of(case)) == ANONYMOUS_STEPS
    assert all(s["state"] == "open" for s in case["steps"])
    assert case["owner"]["id"] == str(desk.member(ADA)), "the leader holds it"
    for at in ("opened_at", "alert_at"):
        instant = datetime.fromisoformat(case[at])
        assert (instant.minute, instant.second) == (0, 0), at
    shown = str(case)
    for value in (*RECOGNISABLE, NAME, NATIONAL_ID):
        assert value not in shown, value

    # Raw: the case's rows hold no identity and, like the alert, no minute.
    case_id = uuid.UUID(listed["id"])
    case_rows = [
        r
        for t, r in await raw_rows(desk.state)
        if t.startswith("followup_") and (case_id.hex in str(r) or str(case_id) in str(r))
    ]
    assert case_rows
    dump = str(case_rows)
    for value in (*RECOGNISABLE, NATIONAL_ID, desk.state.hasher.national_id(NATIONAL_ID)):
        assert value not in dump, value
    assert whole_hours(case_rows)
