"""Migration 0027: the reporters' tables; the downgrade drops them and keeps the alerts the
form sent (under the form's API client), and the upgrade makes them again, empty."""

from __future__ import annotations

from fastapi import FastAPI

from app.state import AppState
from tests.factories import count_alerts
from tests.migrations.test_migration_0006 import rows
from tests.migrations.test_migration_0018 import migrated
from tests.reporters.support import add_reporter, filled, open_form, sign_in
from tests.scenario import Scenario

TABLES = (
    "reporter",
    "reporter_municipality",
    "reporter_signin_link",
    "reporter_session",
    "reporter_alert",
)


async def _tables(state: AppState) -> set[str]:
    found = set()
    for table in TABLES:
        try:
            await rows(state, f"SELECT count(*) FROM {table}")
        except Exception:
            continue
        found.add(table)
    return found


async def test_0027_adds_the_reporters_and_drops_them_again(
    app: FastAPI, state: AppState, scenario: Scenario
) -> None:
    await scenario.team()
    await add_reporter(state)
    browser = await sign_in(app, state)
    sent = await browser.post("/skjema/", data=filled(await open_form(browser)))
    assert sent.status_code == 303, sent.text
    assert await _tables(state) == set(TABLES)

    await migrated(state, "0026", down=True)
    assert await _tables(state) == set()
    assert await count_alerts(state) == 1, "the alert stays"

    await migrated(state, "head")
    assert await _tables(state) == set(TABLES)
    assert await rows(state, "SELECT count(*) FROM reporter") == [(0,)]
