"""Migration 0021: a stored triage table keeps working across the legevakt split (a rule that
named `legevakt` names `legevakt_admitted` too) and gets the usual short days and fatal timing;
the downgrade reads both new values as `legevakt` again."""

from __future__ import annotations

import json
from datetime import time
from typing import Any

import httpx

from app.overdose.enums import DestinationType, Outcome
from app.state import AppState
from app.triage.rules import FatalTiming, TriageAction, TriageRule, TriageTable, WorkingHours
from tests.factories import Factory
from tests.migrations.test_migration_0006 import rows
from tests.migrations.test_migration_0018 import migrated
from tests.triage.test_triage_admin import URL, stored

TABLE: dict[str, Any] = {
    "rules": [
        {"action": "page_now", "destinations": ["legevakt_sent_home"]},
        {"action": "working_hours", "destinations": ["hospital", "legevakt_admitted"]},
        {"action": "working_hours", "outcomes": ["observed_on_scene"]},
    ],
    "working_hours": {"start": "07:00", "closed_days": ["12-27"], "short_day_end": "11:00"},
    "fatal": {"tell_at_night": True},
}


async def destinations(state: AppState) -> list[list[str] | None]:
    [(raw,)] = await rows(state, "SELECT rules FROM triage_table")
    rules = json.loads(raw) if isinstance(raw, str) else raw
    return [rule["destinations"] for rule in rules]


async def test_0021_splits_legevakt_in_stored_tables_both_ways(
    http: httpx.AsyncClient, factory: Factory, state: AppState
) -> None:
    admin = await factory.admin_client()
    assert (await http.put(URL, json=TABLE, headers=admin.headers)).status_code == 200

    await migrated(state, "0020", down=True)
    assert await destinations(state) == [["legevakt"], ["hospital", "legevakt"], None]
    columns = await rows(state, "SELECT * FROM triage_table")
    assert len(columns[0]) == 6, "the new columns are gone"

    await migrated(state, "head")
    assert await destinations(state) == [
        ["legevakt_admitted", "legevakt"],
        ["hospital", "legevakt_admitted", "legevakt"],
        None,
    ]
    # What the municipality set before 0021 stays; what 0021 adds is the default.
    legevakt = frozenset({DestinationType.LEGEVAKT_ADMITTED, DestinationType.LEGEVAKT})
    assert await stored(state) == TriageTable(
        rules=(
            TriageRule(TriageAction.PAGE_NOW, destinations=legevakt),
            TriageRule(
                TriageAction.WORKING_HOURS,
                destinations=legevakt | {DestinationType.HOSPITAL},
            ),
            TriageRule(TriageAction.WORKING_HOURS, outcomes=frozenset({Outcome.OBSERVED_ON_SCENE})),
        ),
        working_hours=WorkingHours(start=time(7)),
        fatal=FatalTiming(),
    )
    # The document reads and writes again.
    got = await http.get(URL, headers=admin.headers)
    assert got.status_code == 200, got.text
    assert got.json()["working_hours"]["short_days"] == [
        "wednesday_before_maundy_thursday",
        "12-24",
        "12-31",
    ]
    put = await http.put(URL, json=TABLE, headers=admin.headers)
    assert put.status_code == 200, put.text


async def test_0021_gives_steps_stored_before_no_reason(state: AppState) -> None:
    await migrated(state, "0020", down=True)
    await migrated(state, "head")
    assert await rows(state, "SELECT count(*) FROM followup_step WHERE due_at_once") == [(0,)]
