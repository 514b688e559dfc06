"""The admin API of a municipality's triage table, on a real database: what the table holds,
how it is stored and what it refuses (what every settings document does is in
tests/test_settings_documents.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.clock import FakeClock
from app.consent.enums import ConsentState
from app.overdose.enums import AlertKind, DestinationType, Outcome, SeveritySign
from app.state import AppState
from app.triage import service
from app.triage.rules import (
    DEFAULT_TABLE,
    FatalContact,
    FatalTiming,
    MovableDay,
    TriageAction,
    TriageFacts,
    TriageRule,
    TriageTable,
    WorkingHours,
    YearlyDate,
    triage,
)
from tests.conftest import START
from tests.factories import Factory, alert_body

OSLO = ZoneInfo("Europe/Oslo")

URL = "/v1/admin/municipalities/3107/triage"


async def stored(state: AppState, code: str = "3107") -> TriageTable:
    """What triage reads, in a transaction of its own (SQLite: no reader holds a lock)."""
    async with state.sessions() as session, session.begin():
        return await service.table_for(session, municipality_code=code)


TABLE: dict[str, Any] = {
    "rules": [
        {"action": "page_now", "severity_any": ["cpr_given", "cardiac_arrest"]},
        {
            "action": "working_hours",
            "outcomes": ["transported"],
            "destinations": ["legevakt_admitted", "hospital"],
            "first_contact_ward": True,
        },
    ],
    "working_hours": {
        "start": "07:45",
        "end": "16:00",
        "days": ["fri", "mon", "wed"],
        "short_days": ["12-31", "wednesday_before_maundy_thursday"],
        "short_day_end": "13:00",
        "closed_days": ["2027-12-27", "12-28"],
    },
    "fatal": {
        "morning": "07:30",
        "evening": "21:00",
        "tell_at_night": True,
        "contact": {"name": " Kommuneoverlegen ", "mobile": "912 34 567"},
    },
}


async def test_the_table_sent_is_shown_in_the_vocabularys_order_and_stored(
    http: httpx.AsyncClient, factory: Factory, state: AppState
) -> None:
    admin = await factory.admin_client()
    assert await stored(state) == DEFAULT_TABLE

    put = await http.put(URL, json=TABLE, headers=admin.headers)
    assert put.status_code == 200, put.text
    expected = {
        "municipality": "3107",
        "configured": True,
        "rules": [  # values in the vocabulary's order, whatever order they were sent in
            {
                "number": 1,
                "action": "page_now",
                "outcomes": None,
                "destinations": None,
                "severity_any": ["cardiac_arrest", "cpr_given"],
                "first_contact_ward": False,
            },
            {
                "number": 2,
                "action": "working_hours",
                "outcomes": ["transported"],
                "destinations": ["hospital", "legevakt_admitted"],
                "severity_any": None,
                "first_contact_ward": True,
            },
        ],
        "working_hours": {
            "start": "07:45",
            "end": "16:00",
            "days": ["mon", "wed", "fri"],
            "short_days": ["12-31", "wednesday_before_maundy_thursday"],  # as sent
            "short_day_end": "13:00",
            "closed_days": ["2027-12-27", "12-28"],
        },
        "fatal": {
            "morning": "07:30",
            "evening": "21:00",
            "tell_at_night": True,
            "contact": {"name": "Kommuneoverlegen", "mobile": "+4791234567"},  # E.164
        },
        "updated_at": START.isoformat().replace("+00:00", "Z"),
    }
    assert put.json() == expected
    assert (await http.get(URL, headers=admin.headers)).json() == expected

    assert await stored(state) == TriageTable(
        rules=(
            TriageRule(
                TriageAction.PAGE_NOW,
                severity_any=frozenset({SeveritySign.CPR_GIVEN, SeveritySign.CARDIAC_ARREST}),
            ),
            TriageRule(
                TriageAction.WORKING_HOURS,
                outcomes=frozenset({Outcome.TRANSPORTED}),
                destinations=frozenset(
                    {DestinationType.HOSPITAL, DestinationType.LEGEVAKT_ADMITTED}
                ),
                first_contact_ward=True,
            ),
        ),
        working_hours=WorkingHours(
            time(7, 45),
            time(16),
            frozenset({0, 2, 4}),
            short_days=(YearlyDate(12, 31), MovableDay.WEDNESDAY_BEFORE_MAUNDY_THURSDAY),
            short_day_end=time(13),
            closed_days=(date(2027, 12, 27), YearlyDate(12, 28)),
        ),
        fatal=FatalTiming(time(7, 30), time(21), at_night=True),
        fatal_contact=FatalContact("Kommuneoverlegen", "+4791234567"),
    )
    # Another municipality keeps the default.
    assert await stored(state, "0301") == DEFAULT_TABLE


async def test_the_stored_table_triages(
    http: httpx.AsyncClient, factory: Factory, state: AppState
) -> None:
    admin = await factory.admin_client()
    assert (await http.put(URL, json=TABLE, headers=admin.headers)).status_code == 200
    table = await stored(state)
    admitted = TriageFacts(
        AlertKind.NON_FATAL,
        ConsentState.CONSENTED,
        Outcome.TRANSPORTED,
        DestinationType.HOSPITAL,
        frozenset(),
    )
    # START is Monday 23 November 2026, 12:00 UTC (13:00 Oslo): within the stored hours.
    result = triage(admitted, table, now=START)
    assert (result.action, result.page_at, result.rule) == (TriageAction.WORKING_HOURS, START, 2)


async def test_an_empty_table_is_allowed(http: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin_client()
    put = await http.put(URL, json={"rules": []}, headers=admin.headers)
    assert put.status_code == 200, put.text
    assert put.json()["rules"] == [] and put.json()["configured"] is True
    assert put.json()["working_hours"] == {
        "start": "08:00",
        "end": "15:30",
        "days": ["mon", "tue", "wed", "thu", "fri"],
        "short_days": ["wednesday_before_maundy_thursday", "12-24", "12-31"],
        "short_day_end": "12:00",
        "closed_days": [],
    }
    assert put.json()["fatal"] == {
        "morning": "08:00",
        "evening": "22:00",
        "tell_at_night": False,
        "contact": None,
    }


def _with_rule(**rule: Any) -> dict[str, Any]:
    return {**TABLE, "rules": [rule]}


def _with_contact(**contact: Any) -> dict[str, Any]:
    given = {"name": "Kriseteamet", "mobile": "+4791234567", **contact}
    return {**TABLE, "fatal": {"contact": given}}


def _with_hours(**hours: Any) -> dict[str, Any]:
    return {**TABLE, "working_hours": {**TABLE["working_hours"], **hours}}


RULE = {"action": "page_now", "outcomes": ["transported"]}


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        (_with_rule(action="page_now", outcomes=["sleeping"]), "rules.0.outcomes.0", "Input"),
        (_with_rule(action="page_now", destinations=[]), "rules.0.destinations", "empty list"),
        (_with_rule(action="page_now", severity_any=[]), "rules.0.severity_any", "empty list"),
        (_with_rule(action="fatal"), "rules.0.action", "fixed rules"),
        (_with_rule(action="no_page"), "rules.0.action", "fixed rules"),
        (_with_rule(action="later"), "rules.0.action", "page_now or working_hours"),
        (_with_rule(action=["page_now"]), "rules.0.action", "page_now or working_hours"),
        (_with_rule(action=None), "rules.0.action", "page_now or working_hours"),
        (_with_rule(**RULE, colour="red"), "rules.0.colour", "Extra"),
        (
            _with_rule(action="page_now", outcomes=["transported", "transported"]),
            "rules.0.outcomes",
            "only once",
        ),
        ({**TABLE, "rules": [RULE] * 51}, "rules", "at most 50"),
        (
            {**TABLE, "rules": [{"action": "page_now"}, RULE]},
            "rules",
            "rule 1 has no conditions",
        ),
        (_with_hours(start="16:00", end="08:00"), "working_hours.end", "after the start"),
        (_with_hours(start="08:00", end="08:00"), "working_hours.end", "after the start"),
        (_with_hours(start="8:00"), "working_hours.start", "HH:MM"),
        (_with_hours(end="24:00"), "working_hours.end", "HH:MM"),
        (_with_hours(days=[]), "working_hours.days", "at least one"),
        (_with_hours(days=["mon", "mon"]), "working_hours.days", "only once"),
        (_with_hours(days=["monday"]), "working_hours.days.0", "Input"),
        ({"working_hours": TABLE["working_hours"]}, "rules", "required"),
        (_with_hours(short_days=["24-12"]), "working_hours.short_days.0", "not a day"),
        (_with_hours(short_days=["easter"]), "working_hours.short_days.0", "not a day"),
        (_with_hours(short_days=[1224]), "working_hours.short_days.0", "string"),
        (_with_hours(short_days=["12-24", "12-24"]), "working_hours.short_days", "only once"),
        (
            _with_hours(short_days=[f"01-{d:02d}" for d in range(1, 32)] * 4),
            "working_hours.short_days",
            "at most 100",
        ),
        (_with_hours(short_day_end="12"), "working_hours.short_day_end", "HH:MM"),
        (_with_hours(short_day_end="07:00"), "working_hours.short_day_end", "after the start"),
        (_with_hours(short_day_end="16:00"), "working_hours.short_day_end", "before the usual"),
        (_with_hours(closed_days=["2027-02-29"]), "working_hours.closed_days.0", "not a day"),
        (_with_hours(closed_days=["27.12.2027"]), "working_hours.closed_days.0", "not a day"),
        (_with_hours(closed_days=["12-27", "12-27"]), "working_hours.closed_days", "only once"),
        (_with_hours(closed_days="12-27"), "working_hours.closed_days", "list"),
        ({**TABLE, "fatal": {"morning": "8"}}, "fatal.morning", "HH:MM"),
        (
            {**TABLE, "fatal": {"morning": "22:00", "evening": "08:00"}},
            "fatal.evening",
            "after the morning",
        ),
        ({**TABLE, "fatal": {"tell_at_night": "yes"}}, "fatal.tell_at_night", "boolean"),
        ({**TABLE, "fatal": {"at_night": True}}, "fatal.at_night", "Extra"),
        (_with_contact(mobile="22 33 44 55"), "fatal.contact.mobile", "mobile"),  # a landline
        (_with_contact(mobile="ring kommunen"), "fatal.contact.mobile", "phone number"),
        (_with_contact(name=" "), "fatal.contact.name", "at least 1"),
        (_with_contact(name="K" * 101), "fatal.contact.name", "at most 100"),
        (_with_contact(name="Kari\tNordmann"), "fatal.contact.name", "character"),
        (
            {**TABLE, "fatal": {"contact": {"name": "Kommuneoverlegen"}}},
            "fatal.contact.mobile",
            "required",
        ),
        (_with_contact(email="x@kommune.no"), "fatal.contact.email", "Extra"),
        (
            _with_rule(action="page_now", destinations=["legevakten"]),
            "rules.0.destinations.0",
            "Input",
        ),
    ],
)
async def test_a_bad_table_is_refused_with_the_field_and_reason(
    http: httpx.AsyncClient, factory: Factory, body: dict[str, Any], field: str, reason: str
) -> None:
    admin = await factory.admin_client()
    response = await http.put(URL, json=body, headers=admin.headers)
    assert response.status_code == 422, response.text
    errors = {e["field"]: e["reason"] for e in response.json()["errors"]}
    assert field in errors, errors
    assert reason in errors[field], errors
    # Nothing was stored.
    assert (await http.get(URL, headers=admin.headers)).json()["configured"] is False


async def test_the_old_legevakt_may_still_be_named_in_a_table(
    http: httpx.AsyncClient, factory: Factory, state: AppState
) -> None:
    """A municipality may decide how the deprecated value of old clients triages."""
    admin = await factory.admin_client()
    body = {"rules": [{"action": "working_hours", "destinations": ["legevakt"]}]}
    put = await http.put(URL, json=body, headers=admin.headers)
    assert put.status_code == 200, put.text
    table = await stored(state)
    for destination, action in (
        (DestinationType.LEGEVAKT, TriageAction.WORKING_HOURS),
        (DestinationType.LEGEVAKT_SENT_HOME, TriageAction.PAGE_NOW),
        (DestinationType.LEGEVAKT_ADMITTED, TriageAction.PAGE_NOW),  # not named: the default
    ):
        facts = TriageFacts(AlertKind.NON_FATAL, ConsentState.CONSENTED, None, destination)
        assert triage(facts, table, now=START).action is action, destination


def oslo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


def z(at: datetime) -> str:
    """An instant as the API writes it."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize(
    ("now", "destination", "kind", "closed", "tell_at_night", "action", "page_at"),
    [
        # Christmas Eve 2027 (a Friday) after 12:00: a short day has ended; Monday 27th...
        (
            oslo(2027, 12, 24, 13),
            "hospital",
            "non_fatal",
            [],
            False,
            "working_hours",
            oslo(2027, 12, 27, 8),
        ),
        # ...unless the municipality closes 27-31 December: the first Monday of 2028.
        (
            oslo(2027, 12, 24, 13),
            "legevakt_admitted",
            "non_fatal",
            ["12-27", "12-28", "12-29", "12-30", "12-31"],
            False,
            "working_hours",
            oslo(2028, 1, 3, 8),
        ),
        # Before 12:00 on the short day: at once.
        (
            oslo(2027, 12, 24, 11),
            "hospital",
            "non_fatal",
            [],
            False,
            "working_hours",
            oslo(2027, 12, 24, 11),
        ),
        # Sent home from the legevakt: the high-risk night, paged now.
        (
            oslo(2027, 12, 24, 13),
            "legevakt_sent_home",
            "non_fatal",
            [],
            False,
            "page_now",
            oslo(2027, 12, 24, 13),
        ),
        # The deprecated value says neither: the safe side, paged now.
        (
            oslo(2027, 12, 24, 13),
            "legevakt",
            "non_fatal",
            [],
            False,
            "page_now",
            oslo(2027, 12, 24, 13),
        ),
        # A death on Maundy Thursday evening: the leader on Good Friday morning...
        (oslo(2027, 3, 25, 22), "home_alone", "fatal", [], False, "fatal", oslo(2027, 3, 26, 8)),
        # ...or at once, where the municipality says "tell at night too".
        (oslo(2027, 3, 25, 22), "home_alone", "fatal", [], True, "fatal", oslo(2027, 3, 25, 22)),
        # Christmas Eve at 19:00 is daytime: at once.
        (oslo(2027, 12, 24, 19), "home_alone", "fatal", [], False, "fatal", oslo(2027, 12, 24, 19)),
    ],
)
async def test_the_document_decides_the_alerts_triage_over_http(
    http: httpx.AsyncClient,
    factory: Factory,
    clock: FakeClock,
    now: datetime,
    destination: str,
    kind: str,
    closed: list[str],
    tell_at_night: bool,
    action: str,
    page_at: datetime,
) -> None:
    """Black box: PUT the document, post an alert, read its triage in the answer."""
    clock.set(now)
    admin = await factory.admin_client()
    body = {
        **TABLE,
        "rules": [{"action": "working_hours", "destinations": ["hospital", "legevakt_admitted"]}],
        "working_hours": {"closed_days": closed},
        "fatal": {"tell_at_night": tell_at_night},
    }
    put = await http.put(URL, json=body, headers=admin.headers)
    assert put.status_code == 200, put.text
    amk = await factory.api_client()
    await factory.standby_team("3107")
    alert = alert_body(occurred_at=now.isoformat(), kind=kind, destination={"type": destination})
    if kind == "fatal":
        alert["clinical"] = {**alert["clinical"], "outcome": "deceased"}
    response = await http.post("/v1/alerts", json=alert, headers=amk.headers)
    assert response.status_code == 201, response.text
    triage_ = response.json()["triage"]
    assert (triage_["action"], triage_["page_at"]) == (action, z(page_at))
    shown = await http.get(f"/v1/alerts/{response.json()['id']}", headers=amk.headers)
    assert shown.json()["triage"]["page_at"] == z(page_at)
