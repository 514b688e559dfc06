"""Follow-up templates are data: the defaults validate, bad templates are refused, and each
municipality may set its own through the admin API (scope `admin`)."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from app.auth.scopes import Scope
from app.followup.template_schema import (
    Condition,
    FollowupTemplate,
    OwnerRole,
    StepKind,
    TemplateKind,
    parse_template,
)
from app.followup.templates.defaults import TEMPLATE_DIR, default_template
from tests.factories import Factory
from tests.problems import assert_problem

ADMIN = "/v1/admin/municipalities"


def small(**changes: Any) -> dict[str, Any]:
    template: dict[str, Any] = {
        "kind": "survivor",
        "name": "Kort mal",
        "steps": [
            {"key": "assess", "title": "Vurdering", "owner": "leader", "offset_hours": 0},
            {
                "key": "visit",
                "title": "Besøk, to ansatte",
                "kind": "visit",
                "owner": "taker",
                "companion": "team",
                "offset_hours": 48,
            },
        ],
    }
    template.update(changes)
    return template


def with_step(**step: Any) -> dict[str, Any]:
    template = small()
    template["steps"].append({"key": "extra", "title": "Ekstra", "owner": "team", **step})
    return template


@pytest.mark.parametrize("kind", list(TemplateKind))
def test_the_default_templates_are_valid_data(kind: TemplateKind) -> None:
    path = TEMPLATE_DIR / f"{kind.value}.json"
    template = parse_template(json.loads(path.read_text("utf-8")))
    assert template.kind is kind
    assert template == default_template(kind)
    for step in template.steps:
        if step.kind is StepKind.VISIT:
            assert step.companion is not None, step.key  # two by two


def test_the_survivor_template_has_the_procedure_of_the_brief() -> None:
    template = default_template(TemplateKind.SURVIVOR)
    keys = [s.key for s in template.steps]
    for key in ("assess", "reach", "visit", "od_folder", "next_appointment", "plans"):
        assert key in keys
    assert keys[-1] == "leader_review"
    assert template.step("assess").owner is OwnerRole.LEADER  # type: ignore[union-attr]
    reach = template.step("reach")
    assert reach is not None and reach.offset_hours == 24
    conditional = {s.condition for s in template.steps if s.condition is not None}
    assert {
        Condition.RELATIVES_KNOWN,
        Condition.SHARED_WITHOUT_CONSENT,
        Condition.HOMELESS,
        Condition.CHILDREN_IN_HOUSEHOLD,
    } <= conditional
    folder = template.step("od_folder")
    assert folder is not None and folder.guidance is not None
    for item in ("113", "Switch", "Feltpleien"):
        assert item in folder.guidance
    contacts = [s for s in template.steps if s.key.startswith("contact_")]
    assert {s.kind for s in contacts} >= {StepKind.SMS, StepKind.CALL, StepKind.VISIT}


def test_the_fatal_template() -> None:
    template = default_template(TemplateKind.FATAL)
    keys = {s.key for s in template.steps}
    assert {
        "bereaved_crisis_help",
        "peer_outreach",
        "children_bereaved",
        "serious_event_report",
        "review",
    } <= keys
    children = template.step("children_bereaved")
    assert children is not None and "10b" in children.title
    peers = template.step("peer_outreach")
    assert peers is not None and peers.condition is Condition.OTHERS_PRESENT


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        (small(steps=[]), "at least 1"),
        (with_step(key="assess", offset_hours=1), "unique"),
        (with_step(offset_hours=-1), "greater than or equal to 0"),
        (with_step(offset_hours=24 * 91), "less than or equal"),
        (with_step(owner="boss", offset_hours=1), "leader"),
        (with_step(offset_hours=1, condition="rainy_day"), "relatives_known"),
        (with_step(offset_hours=1, kind="visit"), "two"),
        (with_step(offset_hours=1, owner="taker", companion="taker"), "someone else"),
        (with_step(key="Not A Key", offset_hours=1), "pattern"),
        (with_step(title="", offset_hours=1), "at least 3"),
        (with_step(offset_hours=1, remind_before_hours=0), "greater than 0"),
        (with_step(offset_hours=1, surprise=True), "Extra inputs"),
        (small(kind="holiday"), "survivor"),
        (small(min_lead_hours=-1), "greater than or equal to 0"),
        (
            small(
                steps=[
                    {
                        "key": "shelter",
                        "title": "Bolig",
                        "owner": "taker",
                        "offset_hours": 1,
                        "condition": "homeless",
                    }
                ]
            ),
            "at least one step must be required",
        ),
    ],
)
def test_invalid_templates_are_refused(template: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        FollowupTemplate.model_validate(template)


def test_the_same_role_may_accompany_when_it_is_the_team() -> None:
    template = with_step(offset_hours=1, kind="visit", companion="team")
    assert parse_template(template).step("extra") is not None


# Admin API


@pytest.fixture
async def admin(factory: Factory) -> dict[str, str]:
    return (await factory.admin_client()).headers


async def test_get_answers_the_default_until_the_municipality_sets_its_own(
    http: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await http.get(f"{ADMIN}/3107/followup-templates/fatal", headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["source"], body["updated_at"]) == ("default", None)
    assert FollowupTemplate.model_validate(body["template"]) == default_template(TemplateKind.FATAL)

    own = copy.deepcopy(body["template"])
    own["name"] = "Fredrikstads mal etter dødsfall"
    own["steps"][1]["offset_hours"] = 24
    put = await http.put(f"{ADMIN}/3107/followup-templates/fatal", json=own, headers=admin)
    assert put.status_code == 200, put.text
    assert put.json()["source"] == "municipality"
    again = (await http.get(f"{ADMIN}/3107/followup-templates/fatal", headers=admin)).json()
    assert again["source"] == "municipality"
    assert again["updated_at"] == "2026-11-23T12:00:00Z"
    assert again["template"]["name"] == "Fredrikstads mal etter dødsfall"
    assert again["template"]["steps"][1]["offset_hours"] == 24
    # The other kind is still the default.
    survivor = await http.get(f"{ADMIN}/3107/followup-templates/survivor", headers=admin)
    assert survivor.json()["source"] == "default"


async def test_an_invalid_template_is_refused_with_its_reasons(
    http: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await http.put(
        f"{ADMIN}/3107/followup-templates/survivor",
        json=with_step(key="assess", offset_hours=-2),
        headers=admin,
    )
    problem = assert_problem(response, 422)
    assert {e["field"] for e in problem["errors"]} == {"steps.2.offset_hours"}
    mismatch = await http.put(f"{ADMIN}/3107/followup-templates/fatal", json=small(), headers=admin)
    assert assert_problem(mismatch, 422)["errors"] == [
        {"field": "kind", "reason": "this is the fatal template's address"}
    ]
    unknown = await http.get(f"{ADMIN}/3107/followup-templates/holiday", headers=admin)
    assert_problem(unknown, 422)


async def test_another_municipality_is_not_found(
    factory: Factory, http: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    for code in ("0301", "9999"):
        got = await http.get(f"{ADMIN}/{code}/followup-templates/survivor", headers=admin)
        assert_problem(got, 404)
        put = await http.put(
            f"{ADMIN}/{code}/followup-templates/survivor", json=small(), headers=admin
        )
        assert_problem(put, 404)


async def test_the_admin_scope_is_needed(factory: Factory, http: httpx.AsyncClient) -> None:
    case_system = await factory.api_client(scopes=(Scope.ALERTS_DETAILS,))
    response = await http.get(
        f"{ADMIN}/3107/followup-templates/survivor", headers=case_system.headers
    )
    assert_problem(response, 403)
    assert_problem(await http.get(f"{ADMIN}/3107/followup-templates/survivor"), 401)
