"""Admin API for municipalities, teams and members: round trips, validation, authorization."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from app.auth.scopes import Scope
from app.roster.teams.schemas import NOT_NULL
from tests.factories import MUNICIPALITIES, ApiCredentials, Factory
from tests.problems import assert_problem

ADMIN = "/v1/admin"
NOT_MOBILE = "not a Norwegian mobile number (+47 4xxxxxxx or 9xxxxxxx)"


@pytest.fixture
async def admin(factory: Factory) -> ApiCredentials:
    # Administers every test municipality (scoping itself: tests/roster/test_admin_scoping.py).
    return await factory.admin_client(municipalities=tuple(MUNICIPALITIES))


def member_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "name": "Kari Nordmann",
        "mobile": "912 34 567",
        "role": "sykepleier",
        "is_health_personnel": True,
    }
    body.update(overrides)
    return body


async def create_team(
    http: httpx.AsyncClient, admin: ApiCredentials, **fields: object
) -> dict[str, object]:
    body = {"municipality": "3107", "name": "Ressursteam overdose", **fields}
    response = await http.post(f"{ADMIN}/teams", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    team: dict[str, object] = response.json()
    return team


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/municipalities"),
        ("POST", "/teams"),
        ("GET", f"/teams/{uuid.UUID(int=1)}/members"),
        ("GET", f"/teams/{uuid.UUID(int=1)}/on-duty"),
        ("POST", f"/teams/{uuid.UUID(int=1)}/rota-import"),
        ("PUT", f"/teams/{uuid.UUID(int=1)}/escalation-policy"),
    ],
)
async def test_admin_api_needs_a_token_with_the_admin_scope(
    factory: Factory, http: httpx.AsyncClient, method: str, path: str
):
    anonymous = await http.request(method, ADMIN + path, json={})
    assert_problem(anonymous, 401)
    assert anonymous.headers["www-authenticate"] == "Bearer"
    dispatcher = await factory.api_client(scopes=(Scope.ALERTS_WRITE, Scope.ALERTS_READ))
    refused = await http.request(method, ADMIN + path, json={}, headers=dispatcher.headers)
    assert "admin" in assert_problem(refused, 403)["detail"]


async def test_municipalities_are_created_and_listed(
    http: httpx.AsyncClient, admin: ApiCredentials, factory: Factory
):
    # Adding municipalities is the operator's (`admin:municipalities`); an administrator
    # lists the municipalities it is bound to.
    operator = await factory.api_client(scopes=(Scope.ADMIN_MUNICIPALITIES,))
    body = {"code": "5001", "name": "Trondheim"}
    created = await http.post(f"{ADMIN}/municipalities", json=body, headers=operator.headers)
    assert created.status_code == 201, created.text
    assert created.json()["alert_team_id"] is None
    assert_problem(
        await http.post(f"{ADMIN}/municipalities", json=body, headers=operator.headers), 409
    )
    bad = await http.post(
        f"{ADMIN}/municipalities", json={"code": "31", "name": "x"}, headers=operator.headers
    )
    assert [e["field"] for e in assert_problem(bad, 422)["errors"]] == ["code"]
    listed = (await http.get(f"{ADMIN}/municipalities", headers=admin.headers)).json()
    assert [m["code"] for m in listed] == ["0301", "1103", "3107"]


async def test_team_and_members_round_trip(http: httpx.AsyncClient, admin: ApiCredentials):
    team = await create_team(http, admin, receives_alerts=True)
    assert team["receives_alerts"] is True and team["leader_member_id"] is None
    members_url = f"{ADMIN}/teams/{team['id']}/members"
    kari = (await http.post(members_url, json=member_body(), headers=admin.headers)).json()
    assert kari["mobile"] == "+4791234567"  # stored as E.164
    # No language of her own: the municipality's written standard.
    assert (kari["language"], kari["active"], kari["email"]) == (None, True, None)
    ola = await http.post(
        members_url,
        json=member_body(
            name="Ola Nordmann",
            mobile="+47 41 23 45 67",
            role="ruskonsulent",
            is_health_personnel=False,
            language="en",
            email=" Ola@Fredrikstad.Kommune.NO ",
        ),
        headers=admin.headers,
    )
    assert ola.status_code == 201, ola.text
    assert ola.json()["email"] == "ola@fredrikstad.kommune.no"
    assert ola.json()["language"] == "en"

    team_url = f"{ADMIN}/teams/{team['id']}"
    led = await http.patch(team_url, json={"leader_member_id": kari["id"]}, headers=admin.headers)
    assert led.status_code == 200 and led.json()["leader_member_id"] == kari["id"]
    got = (await http.get(team_url, headers=admin.headers)).json()
    assert got == {**team, "leader_member_id": kari["id"]}
    unled = await http.patch(team_url, json={"leader_member_id": None}, headers=admin.headers)
    assert unled.json()["leader_member_id"] is None

    changed = await http.patch(
        f"{members_url}/{kari['id']}",
        json={"mobile": "98765432", "role": "leder", "email": "kari@fredrikstad.kommune.no"},
        headers=admin.headers,
    )
    assert changed.status_code == 200, changed.text
    assert {k: changed.json()[k] for k in ("mobile", "role", "name")} == {
        "mobile": "+4798765432",
        "role": "leder",
        "name": "Kari Nordmann",
    }
    listed = (await http.get(members_url, headers=admin.headers)).json()
    assert [(m["name"], m["mobile"]) for m in listed] == [
        ("Kari Nordmann", "+4798765432"),
        ("Ola Nordmann", "+4741234567"),
    ]
    teams = (await http.get(f"{ADMIN}/teams?municipality=3107", headers=admin.headers)).json()
    assert [t["id"] for t in teams] == [team["id"]]
    assert (await http.get(f"{ADMIN}/teams?municipality=0301", headers=admin.headers)).json() == []


@pytest.mark.parametrize(
    ("mobile", "reason"),
    [
        ("69 00 00 00", NOT_MOBILE),  # a landline
        ("+46 70 123 45 67", NOT_MOBILE),  # a Swedish mobile
        ("12345", "not a valid phone number"),
        ("ring meg", "not a phone number"),
    ],
)
async def test_a_bad_mobile_is_refused_with_the_field_and_the_reason(
    http: httpx.AsyncClient, admin: ApiCredentials, mobile: str, reason: str
):
    team = await create_team(http, admin)
    response = await http.post(
        f"{ADMIN}/teams/{team['id']}/members",
        json=member_body(mobile=mobile),
        headers=admin.headers,
    )
    problem = assert_problem(response, 422)
    assert problem["errors"] == [{"field": "mobile", "reason": reason}]
    assert mobile not in response.text
    listed = await http.get(f"{ADMIN}/teams/{team['id']}/members", headers=admin.headers)
    assert listed.json() == []


async def test_a_second_alert_receiving_team_in_a_municipality_conflicts(
    http: httpx.AsyncClient, admin: ApiCredentials
):
    first = await create_team(http, admin, receives_alerts=True)
    second = await http.post(
        f"{ADMIN}/teams",
        json={"municipality": "3107", "name": "MOT", "receives_alerts": True},
        headers=admin.headers,
    )
    problem = assert_problem(second, 409)
    assert problem["team_id"] == first["id"]
    assert "Ressursteam overdose" in problem["detail"]
    mot = await create_team(http, admin, name="MOT")
    elsewhere = await create_team(http, admin, municipality="0301", receives_alerts=True)
    assert elsewhere["receives_alerts"] is True  # one per municipality, not one in all

    patched = await http.patch(
        f"{ADMIN}/teams/{mot['id']}", json={"receives_alerts": True}, headers=admin.headers
    )
    assert_problem(patched, 409)
    same_name = await http.post(
        f"{ADMIN}/teams", json={"municipality": "3107", "name": "MOT"}, headers=admin.headers
    )
    assert_problem(same_name, 409)

    moved = await http.put(
        f"{ADMIN}/municipalities/3107/alert-team",
        json={"team_id": mot["id"]},
        headers=admin.headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["alert_team_id"] == mot["id"]
    teams = (await http.get(f"{ADMIN}/teams?municipality=3107", headers=admin.headers)).json()
    assert {t["name"]: t["receives_alerts"] for t in teams} == {
        "MOT": True,
        "Ressursteam overdose": False,
    }
    listed = (await http.get(f"{ADMIN}/municipalities", headers=admin.headers)).json()
    assert {m["code"]: m["alert_team_id"] for m in listed} == {
        "0301": elsewhere["id"],
        "1103": None,
        "3107": mot["id"],
    }
    foreign = await http.put(
        f"{ADMIN}/municipalities/3107/alert-team",
        json={"team_id": elsewhere["id"]},
        headers=admin.headers,
    )
    assert assert_problem(foreign, 422)["errors"][0]["field"] == "team_id"


async def test_the_leader_must_be_an_active_member_of_the_team(
    factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials
):
    ours = await factory.team(leader=False)
    theirs = await factory.team(municipality="0301", name="Oslo team")
    url = f"{ADMIN}/teams/{ours.team_id}"
    foreign = await http.patch(
        url, json={"leader_member_id": str(theirs.member_ids[0])}, headers=admin.headers
    )
    assert assert_problem(foreign, 422)["errors"] == [
        {"field": "leader_member_id", "reason": "not a member of this team"}
    ]
    member_url = f"{url}/members/{ours.member_ids[1]}"
    assert (await http.post(f"{member_url}/deactivate", headers=admin.headers)).is_success
    inactive = await http.patch(
        url, json={"leader_member_id": str(ours.member_ids[1])}, headers=admin.headers
    )
    assert assert_problem(inactive, 422)["errors"][0]["reason"] == "the member is deactivated"
    nulled = await http.patch(url, json={"name": None}, headers=admin.headers)
    assert assert_problem(nulled, 422)["errors"] == [{"field": "name", "reason": NOT_NULL}]


async def test_deactivating_a_member_takes_them_off_duty_and_says_what_it_leaves(
    factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials
):
    team = await factory.team()
    ada, bo, _ = team.member_ids
    base = f"{ADMIN}/teams/{team.team_id}"
    on_duty = (await http.get(f"{base}/on-duty", headers=admin.headers)).json()
    assert [m["id"] for m in on_duty["on_duty"]] == [str(ada)]
    assert on_duty["leader"]["id"] == str(ada)

    response = await http.post(f"{base}/members/{ada}/deactivate", headers=admin.headers)
    assert response.status_code == 200, response.text
    change = response.json()
    assert change["member"]["active"] is False
    assert change["warnings"][0].startswith("Was the team's leader")
    assert any("rotation" in w for w in change["warnings"])

    on_duty = (await http.get(f"{base}/on-duty", headers=admin.headers)).json()
    assert on_duty == {**on_duty, "on_duty": [], "leader": None, "roster_hole": True}
    # Ada's week stays hers in the rotation (Bo's turn does not move up): it is a hole.
    holes = (await http.get(f"{base}/roster-holes?days=8", headers=admin.headers)).json()
    assert holes["holes"] == [
        {"starts_at": "2026-11-23T12:00:00Z", "ends_at": "2026-11-30T12:00:00Z"}
    ]
    team_now = (await http.get(base, headers=admin.headers)).json()
    assert team_now["leader_member_id"] is None
    active = (await http.get(f"{base}/members", headers=admin.headers)).json()
    assert [m["id"] for m in active] == [str(bo), str(team.member_ids[2])]
    everyone = await http.get(f"{base}/members?include_inactive=true", headers=admin.headers)
    assert len(everyone.json()) == 3

    back = await http.post(f"{base}/members/{ada}/reactivate", headers=admin.headers)
    assert back.json() == {"member": {**change["member"], "active": True}, "warnings": []}
    on_duty = (await http.get(f"{base}/on-duty", headers=admin.headers)).json()
    assert [m["id"] for m in on_duty["on_duty"]] == [str(ada)]


async def test_unknown_teams_and_members_are_404(
    factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials
):
    team = await factory.team()
    other = await factory.team(municipality="0301", name="Oslo team")
    nobody = uuid.UUID(int=7)
    for response in (
        await http.get(f"{ADMIN}/teams/{nobody}", headers=admin.headers),
        await http.post(
            f"{ADMIN}/teams/{nobody}/members", json=member_body(), headers=admin.headers
        ),
        await http.patch(
            f"{ADMIN}/teams/{team.team_id}/members/{other.member_ids[0]}",
            json={"name": "X"},
            headers=admin.headers,
        ),
        await http.post(
            f"{ADMIN}/teams/{team.team_id}/members/{nobody}/deactivate", headers=admin.headers
        ),
        await http.get(f"{ADMIN}/teams/{nobody}/escalation-policy", headers=admin.headers),
    ):
        assert_problem(response, 404)


async def test_racing_requests_still_leave_one_alert_receiving_team(
    http: httpx.AsyncClient, admin: ApiCredentials
):
    # On PostgreSQL the requests pass the service's check together; the partial unique
    # index refuses all but one, and the refusal is a 409, not a 500.
    responses = await asyncio.gather(
        *(
            http.post(
                f"{ADMIN}/teams",
                json={"municipality": "1103", "name": f"Team {n}", "receives_alerts": True},
                headers=admin.headers,
            )
            for n in range(5)
        )
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409]
    teams = (await http.get(f"{ADMIN}/teams?municipality=1103", headers=admin.headers)).json()
    assert [t["receives_alerts"] for t in teams] == [True]
