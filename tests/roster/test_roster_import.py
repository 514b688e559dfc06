"""Importing a rota from an iCalendar file through the admin API."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import ApiCredentials, Factory, TeamSetup
from tests.problems import assert_problem

ADMIN = "/v1/admin"
ICS = "text/calendar; charset=utf-8"


def calendar(*events: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Kommune//Vaktplan//NO"]
    for number, event in enumerate(events):
        body = [line.strip() for line in event.strip().splitlines()]
        lines += ["BEGIN:VEVENT", f"UID:vakt-{number}", *body, "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


# Kari by email (her calendar name differs), Bo by the title, and someone not on the team.
ROTA = calendar(
    """
    SUMMARY:Vakt
    DTSTART;TZID=Europe/Oslo:20261130T080000
    DTEND;TZID=Europe/Oslo:20261207T080000
    ATTENDEE;CN=K. Nordmann:mailto:Kari.Nordmann@fredrikstad.kommune.no
    """,
    """
    SUMMARY:bo  dahl
    DTSTART;TZID=Europe/Oslo:20261207T080000
    DTEND;TZID=Europe/Oslo:20261214T080000
    """,
    """
    SUMMARY:Vakt
    DTSTART;TZID=Europe/Oslo:20261214T080000
    DTEND;TZID=Europe/Oslo:20261221T080000
    ATTENDEE;CN=Per Vikar:mailto:per.vikar@example.no
    """,
)


@pytest.fixture
async def admin(factory: Factory) -> ApiCredentials:
    return await factory.admin_client()


@pytest.fixture
async def team(factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials) -> TeamSetup:
    setup = await factory.team(member_names=("Kari Nordmann", "Bo Dahl"), around_the_clock=False)
    response = await http.patch(
        f"{ADMIN}/teams/{setup.team_id}/members/{setup.member_ids[0]}",
        json={"email": "kari.nordmann@fredrikstad.kommune.no"},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    return setup


async def import_rota(
    http: httpx.AsyncClient,
    admin: ApiCredentials,
    team: TeamSetup,
    data: bytes,
    content_type: str = ICS,
    **params: str | int,
) -> httpx.Response:
    return await http.post(
        f"{ADMIN}/teams/{team.team_id}/rota-import",
        content=data,
        params=params,
        headers={**admin.headers, "Content-Type": content_type},
    )


async def test_an_import_makes_shifts_and_reports_what_it_could_not_match(
    http: httpx.AsyncClient, admin: ApiCredentials, team: TeamSetup
):
    kari, bo = (str(m) for m in team.member_ids)
    response = await import_rota(http, admin, team, ROTA)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "window_start": "2026-11-23T12:00:00Z",
        "window_end": "2026-12-21T12:00:00Z",
        "dry_run": False,
        "replaced": 0,
        "shifts": [
            {
                "member_id": kari,
                "member_name": "Kari Nordmann",
                "starts_at": "2026-11-30T07:00:00Z",
                "ends_at": "2026-12-07T07:00:00Z",
            },
            {
                "member_id": bo,
                "member_name": "Bo Dahl",
                "starts_at": "2026-12-07T07:00:00Z",
                "ends_at": "2026-12-14T07:00:00Z",
            },
        ],
        "unmatched": ["Vakt at 2026-12-14 08:00 (per.vikar@example.no)"],
    }
    shifts = await http.get(f"{ADMIN}/teams/{team.team_id}/shifts", headers=admin.headers)
    assert [(s["member_id"], s["source"]) for s in shifts.json()] == [
        (kari, "ical"),
        (bo, "ical"),
    ]
    on_duty = await http.get(
        f"{ADMIN}/teams/{team.team_id}/on-duty",
        params={"at": "2026-12-01T03:00:00Z"},
        headers=admin.headers,
    )
    assert [m["id"] for m in on_duty.json()["on_duty"]] == [kari]


async def test_importing_again_replaces_earlier_imports_but_keeps_manual_shifts(
    http: httpx.AsyncClient, admin: ApiCredentials, team: TeamSetup
):
    manual = await http.post(
        f"{ADMIN}/teams/{team.team_id}/shifts",
        json={
            "member_id": str(team.member_ids[1]),
            "starts_at": "2026-11-30T08:00:00+01:00",
            "ends_at": "2026-11-30T16:00:00+01:00",
        },
        headers=admin.headers,
    )
    assert manual.status_code == 201
    assert (await import_rota(http, admin, team, ROTA)).status_code == 200
    dry = await import_rota(http, admin, team, ROTA, dry_run="true")
    assert (dry.json()["dry_run"], dry.json()["replaced"], len(dry.json()["shifts"])) == (
        True,
        2,
        2,
    )
    again = await import_rota(http, admin, team, ROTA)
    assert (again.json()["replaced"], len(again.json()["shifts"])) == (2, 2)
    shifts = await http.get(f"{ADMIN}/teams/{team.team_id}/shifts", headers=admin.headers)
    assert sorted(s["source"] for s in shifts.json()) == ["ical", "ical", "manual"]


async def test_a_dry_run_stores_nothing(
    http: httpx.AsyncClient, admin: ApiCredentials, team: TeamSetup
):
    response = await import_rota(http, admin, team, ROTA, dry_run="true", days=10)
    assert response.json()["window_end"] == "2026-12-03T12:00:00Z"
    assert len(response.json()["shifts"]) == 1  # only Kari's week starts in the window
    shifts = await http.get(f"{ADMIN}/teams/{team.team_id}/shifts", headers=admin.headers)
    assert shifts.json() == []


async def test_members_with_the_same_name_are_not_guessed(
    factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials
):
    twins = await factory.team(member_names=("Bo Dahl", "Bo Dahl"), around_the_clock=False)
    response = await import_rota(http, admin, twins, ROTA)
    assert response.json()["shifts"] == []
    assert len(response.json()["unmatched"]) == 3


@pytest.mark.parametrize(
    ("data", "content_type", "status", "detail"),
    [
        (ROTA, "application/json", 415, "text/calendar"),
        (b"not a calendar", ICS, 422, "not a valid iCalendar file"),
        (
            calendar("SUMMARY:Vakt\nDTSTART;TZID=Mars/Olympus:20261201T080000"),
            ICS,
            422,
            "unknown time zone",
        ),
        ("BEGIN:VCALENDAR".encode("utf-16"), ICS, 422, "not UTF-8"),
    ],
)
async def test_unreadable_calendars_are_refused(
    http: httpx.AsyncClient,
    admin: ApiCredentials,
    team: TeamSetup,
    data: bytes,
    content_type: str,
    status: int,
    detail: str,
):
    response = await import_rota(http, admin, team, data, content_type=content_type)
    assert detail in assert_problem(response, status)["detail"]
    shifts = await http.get(f"{ADMIN}/teams/{team.team_id}/shifts", headers=admin.headers)
    assert shifts.json() == []
