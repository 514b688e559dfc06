"""Admin API for duty rosters: rotations, shifts, overrides, on duty across DST, holes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from app.roster.rota.oncall import OSLO
from tests.factories import MUNICIPALITIES, ApiCredentials, Factory, TeamSetup
from tests.problems import assert_problem

ADMIN = "/v1/admin"


@pytest.fixture
async def admin(factory: Factory) -> ApiCredentials:
    # Administers every test municipality (scoping itself: tests/roster/test_admin_scoping.py).
    return await factory.admin_client(municipalities=tuple(MUNICIPALITIES))


def utc(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def oslo(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=OSLO)


async def post(
    http: httpx.AsyncClient, admin: ApiCredentials, url: str, body: dict[str, Any]
) -> dict[str, Any]:
    response = await http.post(url, json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def on_duty_at(
    http: httpx.AsyncClient, admin: ApiCredentials, team: TeamSetup, at: datetime
) -> list[uuid.UUID]:
    response = await http.get(
        f"{ADMIN}/teams/{team.team_id}/on-duty",
        params={"at": at.isoformat()},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["roster_hole"] is (not body["on_duty"])
    return [uuid.UUID(m["id"]) for m in body["on_duty"]]


async def test_on_duty_follows_oslo_handoffs_across_dst_and_overrides(
    factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials
):
    team = await factory.team(around_the_clock=False)
    ada, bo, cy = team.member_ids
    base = f"{ADMIN}/teams/{team.team_id}"
    # Weekly 08:00 handoffs from Monday 23 March; summer time starts Sunday 29 March.
    rotation = await post(
        http,
        admin,
        f"{base}/rotations",
        {
            "name": "Ukevakt",
            "member_ids": [str(ada), str(bo)],
            "anchor": "2026-03-23T08:00:00+01:00",
        },
    )
    assert rotation["anchor"] == "2026-03-23T07:00:00Z"
    assert await on_duty_at(http, admin, team, utc(3, 23, 6, 59)) == []
    assert await on_duty_at(http, admin, team, utc(3, 23, 7)) == [ada]
    assert await on_duty_at(http, admin, team, utc(3, 30, 5, 59)) == [ada]  # 07:59 CEST
    assert await on_duty_at(http, admin, team, utc(3, 30, 6)) == [bo]  # 08:00 CEST
    # Winter time again on 25 October: the handoff moves back to 07:00Z.
    assert await on_duty_at(http, admin, team, utc(10, 26, 6, 59)) == [ada]  # 07:59 CET
    assert await on_duty_at(http, admin, team, utc(10, 26, 7)) == [bo]  # 31 weeks on

    # Cy stands in for Bo on the afternoon of the first summer-time Monday.
    swap = await post(
        http,
        admin,
        f"{base}/overrides",
        {
            "starts_at": oslo(3, 30, 12).isoformat(),
            "ends_at": oslo(3, 30, 18).isoformat(),
            "member_id": str(cy),
            "replaces_member_id": str(bo),
            "reason": "Bytte",
        },
    )
    assert swap["starts_at"] == "2026-03-30T10:00:00Z"
    assert await on_duty_at(http, admin, team, utc(3, 30, 9, 59)) == [bo]
    assert await on_duty_at(http, admin, team, utc(3, 30, 10)) == [cy]
    assert await on_duty_at(http, admin, team, utc(3, 30, 16)) == [bo]
    # Bo off sick the next day: nobody is on duty, and the answer says so.
    await post(
        http,
        admin,
        f"{base}/overrides",
        {
            "starts_at": oslo(3, 31).isoformat(),
            "ends_at": oslo(4, 1).isoformat(),
            "replaces_member_id": str(bo),
        },
    )
    at_noon = await http.get(
        f"{base}/on-duty", params={"at": "2026-03-31T12:00:00+02:00"}, headers=admin.headers
    )
    assert at_noon.json() == {
        "team_id": str(team.team_id),
        "at": "2026-03-31T10:00:00Z",
        "on_duty": [],
        "leader": {
            "id": str(ada),
            "name": "Ada Lund",
            "role": "leder",
            "is_health_personnel": True,
        },
        "roster_hole": True,
    }
    overrides = await http.get(
        f"{base}/overrides", params={"from": "2026-03-01T00:00:00Z"}, headers=admin.headers
    )
    assert [o["reason"] for o in overrides.json()] == ["Bytte", None]
    deleted = await http.delete(f"{base}/overrides/{swap['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    assert await on_duty_at(http, admin, team, utc(3, 30, 10)) == [bo]


async def test_a_night_window_keeps_its_wall_clock_hours_over_the_dst_night(
    factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials
):
    team = await factory.team(around_the_clock=False, member_names=("Ada Lund",))
    body = {
        "member_ids": [str(team.member_ids[0])],
        "anchor": oslo(3, 23).isoformat(),
        "window_start": "22:00",
        "window_end": "08:00",
    }
    await post(http, admin, f"{ADMIN}/teams/{team.team_id}/rotations", body)
    # The night of 28-29 March is an hour shorter: 22:00 CET is 21:00Z, 08:00 CEST is 06:00Z.
    assert await on_duty_at(http, admin, team, utc(3, 28, 20, 59)) == []
    assert await on_duty_at(http, admin, team, utc(3, 28, 21)) == team.member_ids
    assert await on_duty_at(http, admin, team, utc(3, 29, 5, 59)) == team.member_ids
    assert await on_duty_at(http, admin, team, utc(3, 29, 6)) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"window_start": "16:00"}, "body"),
        ({"window_start": "16:00", "window_end": "16:00"}, "body"),
        ({"window_start": "16:00+01:00", "window_end": "08:00"}, "body"),
        ({"anchor": "2026-11-23T08:00:00"}, "anchor"),
        ({"member_ids": []}, "member_ids"),
        ({"shift_days": 0}, "shift_days"),
    ],
)
async def test_invalid_rotations_are_refused(
    factory: Factory,
    http: httpx.AsyncClient,
    admin: ApiCredentials,
    change: dict[str, Any],
    field: str,
):
    team = await factory.team(around_the_clock=False)
    body = {"member_ids": [str(team.member_ids[0])], "anchor": "2026-11-23T08:00:00+01:00"}
    response = await http.post(
        f"{ADMIN}/teams/{team.team_id}/rotations", json={**body, **change}, headers=admin.headers
    )
    assert assert_problem(response, 422)["errors"][0]["field"] == field


async def test_roster_entries_name_only_active_members_of_the_team(
    factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials
):
    team = await factory.team(around_the_clock=False)
    other = await factory.team(municipality="0301", name="Oslo team")
    base = f"{ADMIN}/teams/{team.team_id}"
    stranger, leaver = str(other.member_ids[0]), str(team.member_ids[2])
    await http.post(f"{base}/members/{leaver}/deactivate", headers=admin.headers)
    interval = {"starts_at": "2026-11-24T08:00:00+01:00", "ends_at": "2026-11-24T16:00:00+01:00"}
    for url, body, field, reason in [
        (
            "rotations",
            {"member_ids": [str(team.member_ids[0]), stranger], "anchor": interval["starts_at"]},
            "member_ids.1",
            "not a member of this team",
        ),
        ("shifts", {**interval, "member_id": leaver}, "member_id", "the member is deactivated"),
        (
            "overrides",
            {**interval, "replaces_member_id": stranger},
            "replaces_member_id",
            "not a member of this team",
        ),
    ]:
        response = await http.post(f"{base}/{url}", json=body, headers=admin.headers)
        assert assert_problem(response, 422)["errors"] == [{"field": field, "reason": reason}]
        assert (await http.get(f"{base}/{url}", headers=admin.headers)).json() == []


async def test_shifts_are_added_listed_and_removed(
    factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials
):
    team = await factory.team(around_the_clock=False)
    base = f"{ADMIN}/teams/{team.team_id}"
    bo = str(team.member_ids[1])
    shift = await post(
        http,
        admin,
        f"{base}/shifts",
        {
            "member_id": bo,
            "starts_at": "2026-11-24T08:00:00+01:00",
            "ends_at": "2026-11-24T16:00:00+01:00",
        },
    )
    assert (shift["source"], shift["starts_at"]) == ("manual", "2026-11-24T07:00:00Z")
    assert await on_duty_at(http, admin, team, utc(11, 24, 7)) == [team.member_ids[1]]
    backwards = await http.post(
        f"{base}/shifts",
        json={"member_id": bo, "starts_at": shift["ends_at"], "ends_at": shift["starts_at"]},
        headers=admin.headers,
    )
    assert "ends_at must be after starts_at" in assert_problem(backwards, 422)["detail"]
    listed = (await http.get(f"{base}/shifts", headers=admin.headers)).json()
    assert [s["id"] for s in listed] == [shift["id"]]
    later = await http.get(
        f"{base}/shifts", params={"from": "2026-11-25T00:00:00Z"}, headers=admin.headers
    )
    assert later.json() == []
    other = await factory.team(municipality="0301", name="Oslo team")
    wrong_team = await http.delete(
        f"{ADMIN}/teams/{other.team_id}/shifts/{shift['id']}", headers=admin.headers
    )
    assert_problem(wrong_team, 404)
    assert (
        await http.delete(f"{base}/shifts/{shift['id']}", headers=admin.headers)
    ).status_code == 204
    assert (await http.get(f"{base}/shifts", headers=admin.headers)).json() == []
    assert_problem(await http.delete(f"{base}/shifts/{shift['id']}", headers=admin.headers), 404)


async def test_rotations_are_listed_and_removed(
    factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials
):
    team = await factory.team()
    base = f"{ADMIN}/teams/{team.team_id}"
    [rotation] = (await http.get(f"{base}/rotations", headers=admin.headers)).json()
    assert rotation["member_ids"] == [str(m) for m in team.member_ids]
    assert rotation["shift_days"] == 7 and rotation["window_start"] is None
    removed = await http.delete(f"{base}/rotations/{rotation['id']}", headers=admin.headers)
    assert removed.status_code == 204
    assert (await http.get(f"{base}/rotations", headers=admin.headers)).json() == []
    assert await on_duty_at(http, admin, team, utc(11, 23, 12)) == []


async def test_roster_holes_for_the_coming_days(
    factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials
):
    covered = await factory.team()
    holes = await http.get(f"{ADMIN}/teams/{covered.team_id}/roster-holes", headers=admin.headers)
    assert holes.json() == {
        "team_id": str(covered.team_id),
        "window_start": "2026-11-23T12:00:00Z",
        "window_end": "2026-11-30T12:00:00Z",
        "holes": [],
        "stopped_sms": [],
    }
    office = await factory.team(municipality="0301", name="Dagteam", around_the_clock=False)
    await post(
        http,
        admin,
        f"{ADMIN}/teams/{office.team_id}/rotations",
        {
            "member_ids": [str(office.member_ids[0])],
            "anchor": "2026-11-23T08:00:00+01:00",
            "window_start": "08:00",
            "window_end": "16:00",
        },
    )
    response = await http.get(
        f"{ADMIN}/teams/{office.team_id}/roster-holes", params={"days": 2}, headers=admin.headers
    )
    assert response.json()["holes"] == [
        {"starts_at": "2026-11-23T15:00:00Z", "ends_at": "2026-11-24T07:00:00Z"},
        {"starts_at": "2026-11-24T15:00:00Z", "ends_at": "2026-11-25T07:00:00Z"},
    ]
    too_far = await http.get(
        f"{ADMIN}/teams/{office.team_id}/roster-holes", params={"days": 93}, headers=admin.headers
    )
    assert assert_problem(too_far, 422)["errors"][0]["field"] == "days"
