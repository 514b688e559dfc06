"""Odd calendars sent to the rota import: each is a 422 naming the body, never a 5xx or a
request that never ends (tests/test_odd_bytes_everywhere.py covers the other routes)."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import Factory
from tests.problems import assert_problem


def _calendar(*lines: str, event: dict[str, str | None] | None = None) -> bytes:
    props: dict[str, str | None] = {
        "UID": "u1",
        "DTSTART": "20261124T080000Z",
        "DTEND": "20261124T160000Z",
        "SUMMARY": "Ada Lund",
        **(event or {}),
    }
    body = [f"{k}:{v}" for k, v in props.items() if v is not None]
    text_lines = ["BEGIN:VCALENDAR", "VERSION:2.0", *lines, "BEGIN:VEVENT", *body, "END:VEVENT"]
    return "\r\n".join([*text_lines, "END:VCALENDAR", ""]).encode()


CALENDARS = {
    "a date of 9999 without an end": _calendar(
        event={"DTSTART;VALUE=DATE": "99991231", "DTSTART": None, "DTEND": None}
    ),
    "a duration beyond 9999": _calendar(event={"DTEND": None, "DURATION": "P99999999W"}),
    "a start in year 1 moved back": _calendar(
        event={"DTSTART": "00010101T000000Z", "DTEND": None, "DURATION": "-P1D"}
    ),
    "a zone name too long for a file": _calendar(
        event={"DTSTART;TZID=" + "a" * 300: "20261124T080000", "DTSTART": None}
    ),
    "a calendar zone too long for a file": _calendar("X-WR-TIMEZONE:" + "a" * 300),
    "INTERVAL=0, which never ends": _calendar(event={"RRULE": "FREQ=DAILY;INTERVAL=0"}),
    "every second for a month": _calendar(
        event={"DTEND": "20261124T080001Z", "RRULE": "FREQ=SECONDLY"}
    ),
    "hourly since 1970 (3.6 s to expand)": _calendar(
        event={"DTSTART": "19700101T080000Z", "DTEND": "19700101T081000Z", "RRULE": "FREQ=HOURLY"}
    ),
    "every half minute since 2026 (over 20 s with every second)": _calendar(
        event={
            "DTEND": "20261124T080001Z",
            "RRULE": "FREQ=HOURLY;BYSECOND=0,30;BYMINUTE=" + ",".join(map(str, range(60))),
        }
    ),
    "every minute of two hours a day since 1970": _calendar(
        event={
            "DTSTART": "19700101T080000Z",
            "DTEND": "19700101T080001Z",
            "RRULE": "FREQ=DAILY;BYHOUR=8,9;BYMINUTE=" + ",".join(map(str, range(60))),
        }
    ),
}


@pytest.mark.parametrize("data", CALENDARS.values(), ids=CALENDARS)
async def test_an_odd_calendar_is_a_422_naming_the_body(
    http: httpx.AsyncClient, factory: Factory, data: bytes
) -> None:
    """OverflowError was a 500, a too long zone name an OSError answered as "the database
    could not be reached" (503), and INTERVAL=0 or FREQ=SECONDLY held the request (and a
    CPU) for good."""
    admin = await factory.admin_client()
    team = await factory.team()
    response = await http.post(
        f"/v1/admin/teams/{team.team_id}/rota-import",
        content=data,
        headers={**admin.headers, "Content-Type": "text/calendar"},
    )
    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["body"]
    assert "site-packages" not in problem["detail"]  # no server path in the answer
