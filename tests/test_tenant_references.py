"""Tenant isolation beside the route sweep (tests/test_tenant_isolation.py): Oslo's (B's) own
objects given Fredrikstad's (A's) ids in a body, and what the two municipalities share.

Every reference to another municipality's team, member, signal or concern report is refused as
an id that does not exist is (and nothing is stored); the pairs that may name another
municipality by design (a neighbour to warn) are not here.

A reporter (an ambulance crew member) may report for several municipalities. Each of their
administrators sees the reporter, but only one who administers all of them changes the
reporter: otherwise Oslo could unbind Fredrikstad's crew (a PUT naming only Oslo), end their
sign-in everywhere (deactivate), or re-point their mobile and name, and reactivate a reporter
Fredrikstad had deactivated.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.auth.scopes import Scope
from tests.factories import ApiCredentials, Factory, alert_body
from tests.problems import assert_problem
from tests.scenario import Scenario
from tests.tenant_world import EVERY_SCOPE, A, B, World, build, changed, snapshot

REPORTERS = "/v1/admin/reporters"
CREW = {
    "name": "Kari Ambulanse",
    "reporter_type": "ambulance",
    "municipalities": [A, B],
    "mobile": "+4791234000",
    "unit": "Ambulanse Østfold 2",
}


@pytest.fixture
async def shared(factory: Factory, http: httpx.AsyncClient) -> str:
    """A reporter of both municipalities, made by an administrator of both: its id."""
    both = await factory.api_client(municipalities=(A, B), scopes=(Scope.ADMIN,))
    made = await http.post(REPORTERS, json=CREW, headers=both.headers)
    assert made.status_code == 201, made.text
    reporter_id: str = made.json()["id"]
    return reporter_id


async def _read(http: httpx.AsyncClient, who: ApiCredentials, reporter_id: str) -> Any:
    response = await http.get(f"{REPORTERS}/{reporter_id}", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "", {**CREW, "municipalities": [B]}),
        ("PUT", "", {**CREW, "mobile": "+4799999999"}),
        ("PUT", "", {**CREW, "municipalities": [B], "mobile": "+4799999999"}),
        ("POST", "/deactivate", None),
    ],
)
async def test_a_shared_reporter_is_changed_only_by_who_administers_all_of_theirs(
    factory: Factory,
    http: httpx.AsyncClient,
    shared: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    fredrikstad = await factory.api_client(municipalities=(A,), scopes=EVERY_SCOPE)
    oslo = await factory.api_client(municipalities=(B,), scopes=EVERY_SCOPE)
    before = await _read(http, fredrikstad, shared)
    assert await _read(http, oslo, shared) == before  # Oslo sees its crew member

    url = f"{REPORTERS}/{shared}{path}"
    refused = await http.request(method, url, json=body, headers=oslo.headers)
    assert_problem(refused, 403)
    if A not in str(body):
        assert A not in refused.json()["detail"]
    assert await _read(http, fredrikstad, shared) == before

    own = await http.request(method, url, json=body, headers=fredrikstad.headers)
    assert_problem(own, 403)  # Fredrikstad alone may not unbind Oslo's crew either


async def test_a_reporter_of_one_municipality_is_still_its_administrators(
    factory: Factory, http: httpx.AsyncClient
) -> None:
    oslo = await factory.api_client(municipalities=(B,), scopes=(Scope.ADMIN,))
    made = await http.post(REPORTERS, json={**CREW, "municipalities": [B]}, headers=oslo.headers)
    assert made.status_code == 201, made.text
    url = f"{REPORTERS}/{made.json()['id']}"
    changed = await http.put(
        url, json={**CREW, "municipalities": [B], "unit": "2"}, headers=oslo.headers
    )
    assert changed.status_code == 200 and changed.json()["unit"] == "2"
    gone = await http.post(f"{url}/deactivate", headers=oslo.headers)
    assert gone.status_code == 200 and gone.json()["active"] is False
    unknown = await http.put(f"{REPORTERS}/{uuid.uuid4()}", json=CREW, headers=oslo.headers)
    assert_problem(unknown, 404)


WEEK = {"starts_at": "2026-12-02T08:00:00Z", "ends_at": "2026-12-03T08:00:00Z"}
WARNING = {"municipality": B, "text": "Ikke bruk alene.", "by": {"name": "Di", "role": "leder"}}


def references(b: dict[str, str]) -> list[tuple[str, str, dict[str, Any] | None]]:
    """B's own team, case, alert and municipality, with A's ids (`{name}`) in the body or
    below B's id in the path."""
    team, case = f"/v1/admin/teams/{b['team']}", f"/v1/cases/{b['case']}"
    return [
        ("PATCH", f"{team}/members/{{member_id}}", {"mobile": "+4798765432"}),
        ("POST", f"{team}/members/{{member_id}}/deactivate", None),
        ("POST", f"{team}/members/{{member_id}}/reactivate", None),
        ("DELETE", f"{team}/rotations/{{rotation_id}}", None),
        ("DELETE", f"{team}/shifts/{{shift_id}}", None),
        ("DELETE", f"{team}/overrides/{{override_id}}", None),
        (
            "PUT",
            f"/v1/alerts/{b['alert']}/inform-duties/{{duty_id}}",
            {"informed_by": "Ingrid Haugen", "recorded_by": {"name": "Di", "role": "leder"}},
        ),
        ("PATCH", team, {"leader_member_id": "{member_id}"}),
        ("PUT", f"/v1/admin/municipalities/{B}/alert-team", {"team_id": "{team_id}"}),
        ("POST", f"{team}/rotations", {"member_ids": ["{member_id}"], "anchor": WEEK["starts_at"]}),
        ("POST", f"{team}/shifts", {**WEEK, "member_id": "{member_id}"}),
        ("POST", f"{team}/overrides", {**WEEK, "member_id": "{member_id}"}),
        ("POST", f"{team}/overrides", {**WEEK, "replaces_member_id": "{member_id}"}),
        (
            "PUT",
            f"{team}/escalation-policy",
            {
                "steps": [
                    {
                        "delay_minutes": 5,
                        "targets": [{"kind": "members", "member_ids": ["{member_id}"]}],
                    }
                ]
            },
        ),
        ("POST", "/v1/drug-warnings", {**WARNING, "signal_id": "{signal_id}"}),
        ("POST", "/v1/drug-warnings", {**WARNING, "concern_report_id": "{report_id}"}),
        ("POST", f"{case}/reassignment", {"owner_member_id": "{member_id}"}),
        ("POST", f"{case}/steps/reach/assignment", {"owner_member_id": "{member_id}"}),
        ("POST", f"{case}/steps/visit/assignment", {"companion_member_id": "{member_id}"}),
        ("POST", f"{case}/steps/reach/records", {"action": "done", "by_member_id": "{member_id}"}),
    ]


@pytest.fixture
async def world(scenario: Scenario, app: FastAPI) -> World:
    return await build(scenario, app.openapi())


async def test_own_objects_refuse_another_municipalitys_ids(world: World) -> None:
    """B's admin and case system name A's member, team, signal or report in B's own data."""
    http, b_client = world.http, world.b_client
    alert = await world.scenario.factory.post_alert(b_client, alert_body(municipality=B))
    case = await world.scenario.take(uuid.UUID(alert), world.b_team.member_ids[0])
    assert case is not None
    b = {"team": str(world.b_team.team_id), "case": str(case.id), "alert": alert}
    unknown = {k: str(uuid.uuid4()) for k in world.ids}
    problems = []
    for method, template, body in references(b):
        before = await snapshot(world.scenario.state)
        path, sent = _filled(template, world.ids), _filled(body, world.ids)
        refused = await http.request(method, path, json=sent, headers=b_client.headers)
        where = f"{method} {path} {sent}"
        if touched := changed(before, await snapshot(world.scenario.state)):
            problems.append(f"{where}: changed {touched}")
        twin = (_filled(template, unknown), _filled(body, unknown))
        missing = await http.request(method, twin[0], json=twin[1], headers=b_client.headers)
        if not _refused_for_the_reference(refused, body) or _plain(refused, [path, sent]) != _plain(
            missing, list(twin)
        ):
            problems.append(f"{where}: {refused.text} vs unknown {missing.text}")
    assert problems == [], "\n".join(problems)


def _refused_for_the_reference(response: httpx.Response, body: dict[str, Any] | None) -> bool:
    """403 or 404; or 422 naming the field that holds A's id (not a body malformed else)."""
    if response.status_code in (403, 404):
        return True
    naming = [key for key, value in (body or {}).items() if "{" in json.dumps(value)]
    fields = [str(e.get("field")) for e in response.json().get("errors", [])]
    return response.status_code == 422 and any(
        f.startswith(key) or f.endswith("member_ids.0") for f in fields for key in naming
    )


def _filled(value: Any, ids: dict[str, str]) -> Any:
    """`value` (a path or a body) with A's ids (or unknown ones) for the `{name}`s in it."""
    text = json.dumps(value)
    for name, id_ in ids.items():
        text = text.replace("{" + name + "}", id_)
    return json.loads(text)


def _plain(response: httpx.Response, sent: Any) -> Any:
    text = response.text
    for value in re.findall(r"[0-9a-f-]{36}", json.dumps(sent)):
        text = text.replace(value, "<sent>")
    body = json.loads(text)
    return {**body, "instance": None} if isinstance(body, dict) else body
