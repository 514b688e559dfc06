"""Admin API: a client administers only its own municipalities' teams, members and rosters.

Another municipality's team, member or roster entry gets the same 404 as an id that does not
exist, so ids reveal nothing; lists show only the client's municipalities; adding a
municipality needs the global `admin:municipalities` scope.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from app.auth.scopes import Scope
from tests.factories import ApiCredentials, Factory
from tests.problems import assert_problem

ADMIN = "/v1/admin"
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//NO\r\nBEGIN:VEVENT\r\nUID:v1\r\n"
    "SUMMARY:Ola\r\nDTSTART:20261124T080000Z\r\nDTEND:20261125T080000Z\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


@dataclass
class Oslo:
    """Oslo's team and roster, built by Oslo's own admin; and Fredrikstad's admin."""

    admin: ApiCredentials
    own_admin: ApiCredentials
    team: str
    member: str
    rotation: str
    shift: str
    override: str


@pytest.fixture
async def oslo(factory: Factory, http: httpx.AsyncClient) -> Oslo:
    own_admin = await factory.api_client(municipalities=("0301",), scopes=(Scope.ADMIN,))
    fredrikstad_admin = await factory.admin_client()
    headers = own_admin.headers

    async def post(path: str, body: dict[str, Any]) -> str:
        response = await http.post(f"{ADMIN}{path}", json=body, headers=headers)
        assert response.status_code == 201, response.text
        created: str = response.json()["id"]
        return created

    team = await post("/teams", {"municipality": "0301", "name": "Oslo", "receives_alerts": True})
    member_body = {
        "name": "Ola",
        "mobile": "+4791111111",
        "role": "sykepleier",
        "is_health_personnel": True,
    }
    member = await post(f"/teams/{team}/members", member_body)
    interval = {"starts_at": "2026-11-24T08:00:00Z", "ends_at": "2026-11-25T08:00:00Z"}
    rotation = await post(
        f"/teams/{team}/rotations", {"member_ids": [member], "anchor": "2026-11-23T08:00:00Z"}
    )
    shift = await post(f"/teams/{team}/shifts", {**interval, "member_id": member})
    override = await post(f"/teams/{team}/overrides", {**interval, "replaces_member_id": member})
    return Oslo(fredrikstad_admin, own_admin, team, member, rotation, shift, override)


def requests(o: Oslo) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every admin read and write on Oslo's team, its member and roster entries."""
    t, m = f"/teams/{o.team}", f"/teams/{o.team}/members/{o.member}"
    interval = {"starts_at": "2026-11-26T08:00:00Z", "ends_at": "2026-11-27T08:00:00Z"}
    return [
        ("GET", t, None),
        ("PATCH", t, {"name": "Renamed"}),
        ("PATCH", t, {"receives_alerts": False}),
        ("PATCH", t, {"leader_member_id": o.member}),
        ("GET", f"{t}/members", None),
        (
            "POST",
            f"{t}/members",
            {"name": "X", "mobile": "+4792222222", "role": "annet", "is_health_personnel": False},
        ),
        ("PATCH", m, {"mobile": "+4793333333"}),
        ("POST", f"{m}/deactivate", None),
        ("POST", f"{m}/reactivate", None),
        ("GET", f"{t}/rotations", None),
        ("POST", f"{t}/rotations", {"member_ids": [o.member], "anchor": "2026-11-23T08:00:00Z"}),
        ("DELETE", f"{t}/rotations/{o.rotation}", None),
        ("GET", f"{t}/shifts", None),
        ("POST", f"{t}/shifts", {**interval, "member_id": o.member}),
        ("DELETE", f"{t}/shifts/{o.shift}", None),
        ("GET", f"{t}/overrides", None),
        ("POST", f"{t}/overrides", {**interval, "member_id": o.member}),
        ("DELETE", f"{t}/overrides/{o.override}", None),
        ("GET", f"{t}/on-duty", None),
        ("GET", f"{t}/roster-holes", None),
        ("GET", f"{t}/escalation-policy", None),
        (
            "PUT",
            f"{t}/escalation-policy",
            {"steps": [{"delay_minutes": 5, "targets": [{"kind": "on_duty"}]}]},
        ),
    ]


def requests_template() -> list[tuple[str, str, dict[str, Any] | None]]:
    """`requests` with path parameters as in the OpenAPI document."""
    nobody = ApiCredentials("-", "-")
    names = ("{team_id}", "{member_id}", "{rotation_id}", "{shift_id}", "{override_id}")
    ids = Oslo(nobody, nobody, *names)
    return [(m, ADMIN + p, b) for m, p, b in requests(ids)]


async def send(
    http: httpx.AsyncClient, who: ApiCredentials, method: str, path: str, body: Any
) -> httpx.Response:
    return await http.request(method, ADMIN + path, json=body, headers=who.headers)


def anonymised(body: dict[str, Any], *ids: str) -> dict[str, Any]:
    detail = str(body["detail"])
    for value in ids:
        detail = detail.replace(value, "<id>")
    return {**body, "detail": detail, "instance": None}


@pytest.mark.parametrize("index", range(22))
async def test_another_municipalitys_team_is_not_found(
    http: httpx.AsyncClient, oslo: Oslo, index: int
):
    method, path, body = requests(oslo)[index]
    refused = await send(http, oslo.admin, method, path, body)
    assert_problem(refused, 404)
    # The answer for an id that does not exist: the same, so ids reveal nothing.
    ids = (oslo.team, oslo.member, oslo.rotation, oslo.shift, oslo.override)
    unknown = path
    for value in ids:
        unknown = unknown.replace(value, str(uuid.uuid4()))
    missing = await send(http, oslo.admin, method, unknown, body)
    assert_problem(missing, 404)
    assert anonymised(refused.json(), *ids) == anonymised(
        missing.json(), *[p for p in unknown.split("/") if len(p) == 36]
    )
    # Nothing changed: Oslo's own admin still sees its team, member and roster as they were.
    own = await send(http, oslo.own_admin, "GET", f"/teams/{oslo.team}", None)
    assert own.json()["name"] == "Oslo" and own.json()["receives_alerts"] is True
    listed = await send(http, oslo.own_admin, "GET", f"/teams/{oslo.team}/members", None)
    assert [(m["mobile"], m["active"]) for m in listed.json()] == [("+4791111111", True)]
    for kind, entry in (
        ("rotations", oslo.rotation),
        ("shifts", oslo.shift),
        ("overrides", oslo.override),
    ):
        got = await send(
            http,
            oslo.own_admin,
            "GET",
            f"/teams/{oslo.team}/{kind}?from=2026-11-01T00:00:00Z",
            None,
        )
        assert [e["id"] for e in got.json()] == [entry]
    policy = await send(http, oslo.own_admin, "GET", f"/teams/{oslo.team}/escalation-policy", None)
    assert policy.json()["configured"] is False


async def test_every_team_route_is_covered(app: Any) -> None:
    # A new admin route on a team must be added to `requests` above: this counts them.
    team_routes = {
        (method, path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith(f"{ADMIN}/teams/{{team_id}}")
        for method in operations
    }
    tried = {(method.lower(), path) for method, path, _ in requests_template()}
    assert team_routes == tried | {("post", f"{ADMIN}/teams/{{team_id}}/rota-import")}


async def test_rota_import_into_another_municipalitys_team_is_not_found(
    http: httpx.AsyncClient, oslo: Oslo
):
    response = await http.post(
        f"{ADMIN}/teams/{oslo.team}/rota-import",
        content=ICS,
        headers={**oslo.admin.headers, "Content-Type": "text/calendar"},
    )
    assert_problem(response, 404)
    shifts = await send(
        http, oslo.own_admin, "GET", f"/teams/{oslo.team}/shifts?from=2026-11-01T00:00:00Z", None
    )
    assert [s["id"] for s in shifts.json()] == [oslo.shift]


async def test_alert_team_of_another_municipality_cannot_be_moved(
    http: httpx.AsyncClient, oslo: Oslo, factory: Factory
):
    fredrikstad = await factory.team(municipality="3107", name="Fredrikstad")
    refused = await send(
        http, oslo.admin, "PUT", "/municipalities/0301/alert-team", {"team_id": oslo.team}
    )
    unknown = await send(
        http, oslo.admin, "PUT", "/municipalities/9999/alert-team", {"team_id": oslo.team}
    )
    assert anonymised(assert_problem(refused, 404), "0301") == anonymised(
        assert_problem(unknown, 404), "9999"
    )
    # Another municipality's team as one's own receiving team: as unknown as a random id.
    mixed = await send(
        http, oslo.admin, "PUT", "/municipalities/3107/alert-team", {"team_id": oslo.team}
    )
    random = await send(
        http, oslo.admin, "PUT", "/municipalities/3107/alert-team", {"team_id": str(uuid.uuid4())}
    )
    assert mixed.status_code == random.status_code == 404
    assert "0301" not in str(mixed.json()["detail"])
    own = await send(http, oslo.admin, "GET", f"/teams/{fredrikstad.team_id}", None)
    assert own.json()["receives_alerts"] is True


async def test_teams_are_created_only_in_own_municipalities(http: httpx.AsyncClient, oslo: Oslo):
    body = {"municipality": "0301", "name": "Sneaky"}
    refused = await send(http, oslo.admin, "POST", "/teams", body)
    unknown = await send(http, oslo.admin, "POST", "/teams", {**body, "municipality": "9999"})
    assert assert_problem(refused, 422)["errors"] == assert_problem(unknown, 422)["errors"]
    assert "0301" not in str(refused.json()["detail"])


async def test_lists_show_only_own_municipalities(
    http: httpx.AsyncClient, oslo: Oslo, factory: Factory
):
    await factory.team(municipality="3107", name="Fredrikstad")
    teams = (await send(http, oslo.admin, "GET", "/teams", None)).json()
    assert {t["municipality"] for t in teams} == {"3107"}
    assert (await send(http, oslo.admin, "GET", "/teams?municipality=0301", None)).json() == []
    municipalities = (await send(http, oslo.admin, "GET", "/municipalities", None)).json()
    assert [m["code"] for m in municipalities] == ["3107"]


async def test_adding_a_municipality_needs_the_global_scope(
    http: httpx.AsyncClient, oslo: Oslo, factory: Factory
):
    body = {"code": "5001", "name": "Trondheim"}
    refused = await send(http, oslo.admin, "POST", "/municipalities", body)
    assert "admin:municipalities" in assert_problem(refused, 403)["detail"]
    platform = await factory.api_client(scopes=(Scope.ADMIN_MUNICIPALITIES,))
    created = await send(http, platform, "POST", "/municipalities", body)
    assert created.status_code == 201, created.text
