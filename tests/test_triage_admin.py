"""The admin API of a municipality's triage table, on a real database: what the table holds,
how it is stored and what it refuses (what every settings document does is in
tests/test_settings_documents.py)."""

from __future__ import annotations

from datetime import time
from typing import Any

import httpx
import pytest

from app.consent.enums import ConsentState
from app.overdose.enums import AlertKind, DestinationType, Outcome, SeveritySign
from app.state import AppState
from app.triage import service
from app.triage.rules import (
    DEFAULT_TABLE,
    TriageAction,
    TriageFacts,
    TriageRule,
    TriageTable,
    WorkingHours,
    triage,
)
from tests.conftest import START
from tests.factories import Factory

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
            "destinations": ["legevakt", "hospital"],
            "first_contact_ward": True,
        },
    ],
    "working_hours": {"start": "07:45", "end": "16:00", "days": ["fri", "mon", "wed"]},
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
                "destinations": ["hospital", "legevakt"],
                "severity_any": None,
                "first_contact_ward": True,
            },
        ],
        "working_hours": {"start": "07:45", "end": "16:00", "days": ["mon", "wed", "fri"]},
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
                destinations=frozenset({DestinationType.HOSPITAL, DestinationType.LEGEVAKT}),
                first_contact_ward=True,
            ),
        ),
        working_hours=WorkingHours(time(7, 45), time(16), frozenset({0, 2, 4})),
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
    }


def _with_rule(**rule: Any) -> dict[str, Any]:
    return {**TABLE, "rules": [rule]}


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
