"""Done when (issue 22): with the clock past the period, a closed case's identifying data is gone
from the raw tables and from a dump of the database, the access log and the statistics facts
remain, and the facts are unchanged; a never-closed case is flagged once, not purged."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from app.alerts.models import Alert
from app.answers.models import AlertAnswer
from app.answers.rules import AnswerKind
from app.audit.enums import ActorKind, Channel
from app.audit.models import AccessLogEntry
from app.clock import FakeClock
from app.config.sections import RetentionSettings
from app.followup.cases.models import FollowupCase
from app.retention.engine import FLAG_PURPOSE, run_pass
from app.retention.purge import SEALED_COLUMNS
from app.retention.rules import Category
from app.state import AppState
from app.statistics.facts import refresh_facts
from app.timeline.models import AlertEvent, AlertEventKind
from tests.personal_data import RECOGNISABLE, alert_row, log_rows, raw_rows
from tests.retention.harness import (
    ADA,
    DAYS,
    NOTE,
    close,
    desk,
    opened,
    retention_pass,
)
from tests.scenario import Scenario
from tests.staff_auth import browser_client
from tests.web.test_case_pages import signed_in

FACT_COLUMNS = "alert_id, municipality_code, month, kind, outcome, destination, " + (
    "substance_groups, place_type, evening, weekend, sex, age_band, naloxone, "
    "naloxone_by_bystander, person_key, minutes_to_acknowledge, reached_within_24h, "
    "next_appointment"
)


def key(state: AppState, alert_id: uuid.UUID) -> Any:
    """An id as raw SQL compares it: 32 hex digits on SQLite, a uuid on PostgreSQL."""
    return alert_id.hex if state.settings.is_sqlite else alert_id


async def secrets_of(state: AppState, alert_id: uuid.UUID) -> list[str]:
    """Every sealed token and keyed fingerprint stored about the alert and its case."""
    row = await alert_row(state, str(alert_id))
    found = [row[c] for c in (*SEALED_COLUMNS, "request_fingerprint") if row[c]]
    async with state.engine.connect() as connection:
        for sql in (
            "SELECT s.note_sealed FROM followup_step s JOIN followup_case c ON c.id = s.case_id "
            "WHERE c.alert_id = :id AND s.note_sealed IS NOT NULL",
            "SELECT e.note_sealed FROM followup_event e JOIN followup_case c ON c.id = e.case_id "
            "WHERE c.alert_id = :id AND e.note_sealed IS NOT NULL",
            "SELECT replaced_sealed FROM alert_version WHERE alert_id = :id "
            "AND replaced_sealed IS NOT NULL",
        ):
            found += [
                r[0] for r in await connection.execute(text(sql), {"id": key(state, alert_id)})
            ]
    return found


async def links_of(state: AppState, alert_id: uuid.UUID) -> int:
    async with state.engine.connect() as connection:
        result = await connection.execute(
            text("SELECT count(*) FROM recipient_link WHERE alert_id = :id"),
            {"id": key(state, alert_id)},
        )
        return int(result.scalar_one())


async def facts(state: AppState) -> list[tuple[Any, ...]]:
    async with state.engine.connect() as connection:
        result = await connection.execute(
            text(f"SELECT {FACT_COLUMNS} FROM alert_fact ORDER BY alert_id")
        )
        return [tuple(row) for row in result]


async def refreshed(state: AppState, alert_ids: list[uuid.UUID]) -> int:
    async with state.sessions() as session, session.begin():
        return await refresh_facts(session, alert_ids, cipher=state.cipher, now=state.clock.now())


def dump(state: AppState) -> str:
    """The whole database as its backup tool writes it (SQLite: iterdump after a checkpoint,
    and the raw bytes of the file; PostgreSQL: pg_dump's plain SQL)."""
    url = make_url(state.settings.database_url)
    if state.settings.is_sqlite:
        path = Path(str(url.database))
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            lines = "\n".join(connection.iterdump())
        files = [path, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-journal"))]
        raw = b"".join(f.read_bytes() for f in files if f.exists())
        return lines + "\n" + raw.decode("latin-1")
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    result = subprocess.run(
        [
            "pg_dump",
            f"--host={url.host or '127.0.0.1'}",
            f"--port={url.port or 5432}",
            f"--username={url.username or 'postgres'}",
            "--no-owner",
            str(url.database),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_a_closed_cases_identity_is_gone_past_the_period_and_the_rest_remains(
    scenario: Scenario, state: AppState
) -> None:
    await desk(scenario)
    alert_id, case_id = await opened(scenario)
    kept_id, kept_case = await opened(scenario)  # closed later: not due yet
    await close(scenario, case_id)
    assert await refreshed(state, [alert_id, kept_id]) == 2
    facts_before = await facts(state)
    secrets = await secrets_of(state, alert_id)
    assert len(secrets) >= len(SEALED_COLUMNS), "every category and the note were stored"
    async with state.sessions() as session, session.begin():  # an entry without the hash
        session.add(
            AccessLogEntry(
                at=state.clock.now(),
                actor_kind=ActorKind.STAFF,
                actor_id="staff-1",
                municipality_code="3107",
                alert_id=alert_id,
                categories=["identity"],
                legal_basis="hpl_25",
                reason="Sidevisning",
                channel=Channel.PAGE,
            )
        )
    national_id_hash = (await alert_row(state, str(alert_id)))["national_id_hash"]
    assert national_id_hash
    assert all(s in dump(state) for s in secrets), "the dump holds them before"

    await scenario.fast_forward(89 * DAYS)
    await close(scenario, kept_case)
    assert (await alert_row(state, str(alert_id)))["purged_at"] is None, "not due yet"
    assert await links_of(state, alert_id) >= 1, "who was paged still decides who may see"
    await scenario.fast_forward(1 * DAYS)  # the worker's retention engine runs

    purged = await alert_row(state, str(alert_id))
    assert purged["purged_at"] is not None
    assert await links_of(state, alert_id) == 0
    assert all(purged[c] is None for c in SEALED_COLUMNS)
    assert purged["national_id_hash"] is None and purged["request_fingerprint"] == ""
    everything = await raw_rows(state)
    stored = "\n".join(f"{table} {row}" for table, row in everything)
    for value in [*RECOGNISABLE, *secrets, NOTE]:
        assert value not in stored, f"{value[:12]}... is still in a table"
    dumped = dump(state)
    for value in [*RECOGNISABLE, *secrets]:
        assert value not in dumped, f"{value[:12]}... is still in the dump"

    kept = await alert_row(state, str(kept_id))
    assert kept["purged_at"] is None and kept["identity_sealed"] is not None
    entries = [e for e in await log_rows(state) if e["alert_id"] == key(state, alert_id)]
    assert len(entries) == 2, "the access log is kept"
    assert {e["national_id_hash"] for e in entries} == {national_id_hash}, "and finds them"
    assert await facts(state) == facts_before, "the statistics facts are unchanged"
    assert await refreshed(state, [alert_id, kept_id]) == 1, "the purged alert's fact is frozen"
    assert await facts(state) == facts_before


async def test_the_crews_free_text_goes_with_the_alert(scenario: Scenario, state: AppState) -> None:
    """An answer typed to the crew is free text: cleared from the answer and the timeline."""
    await desk(scenario)
    alert_id, case_id = await opened(scenario)
    async with state.sessions() as session, session.begin():
        session.add(
            AlertAnswer(
                alert_id=alert_id,
                kind=AnswerKind.FREE_TEXT,
                free_text="Kari bor hos søsteren",
                via="link",
                created_at=state.clock.now(),
            )
        )
        session.add(
            AlertEvent(
                alert_id=alert_id,
                at=state.clock.now(),
                kind=AlertEventKind.ANSWERED,
                data={"answer": {"kind": "free_text", "text": "Kari bor hos søsteren"}},
            )
        )
    await close(scenario, case_id)
    scenario.advance(29 * DAYS)
    assert (await retention_pass(state))[Category.TIMELINE_TEXT] == 0
    scenario.advance(1 * DAYS)
    assert (await retention_pass(state))[Category.TIMELINE_TEXT] == 1, "its own period: 30 days"
    stored = "\n".join(f"{table} {row}" for table, row in await raw_rows(state))
    assert "søsteren" not in stored
    assert (await alert_row(state, str(alert_id)))["purged_at"] is None, "the rest is kept"


async def test_an_alert_that_opened_no_case_is_purged_after_the_alert_period(
    scenario: Scenario, state: AppState
) -> None:
    await desk(scenario)
    alert_id = await scenario.alert()  # nobody takes it, and the worker does not run
    scenario.advance(90 * DAYS)
    done = await retention_pass(state)
    assert (done[Category.ALERT], done[Category.CASE]) == (1, 0)
    async with state.sessions() as session:
        alert = await session.get(Alert, alert_id)
        assert alert is not None and alert.purged_at == state.clock.now()
        assert alert.identity_sealed is None
    assert (await retention_pass(state))[Category.ALERT] == 0, "nothing is purged twice"


async def test_a_never_closed_case_is_flagged_to_the_leader_once_and_not_purged(
    scenario: Scenario, state: AppState, app: FastAPI, clock: FakeClock
) -> None:
    team = await desk(scenario)
    alert_id, case_id = await opened(scenario)
    identity = (await alert_row(state, str(alert_id)))["identity_sealed"]
    scenario.advance(90 * DAYS)
    assert (await retention_pass(state))[Category.FLAGGED] == 1
    await scenario.settle()
    told = scenario.sms_to(scenario.member(ADA))
    assert [t for t in told if "slettefristen" in t] != [], told
    assert f"/a/cases/{case_id}" in told[-1]
    scenario.advance(90 * DAYS)
    assert (await retention_pass(state))[Category.FLAGGED] == 0, "told once"
    row = await alert_row(state, str(alert_id))
    assert row["purged_at"] is None and row["identity_sealed"] == identity
    async with state.engine.connect() as connection:
        sent = await connection.execute(
            text("SELECT count(*) FROM outbox_message WHERE purpose = :p"), {"p": FLAG_PURPOSE}
        )
        assert sent.scalar_one() == 1
    async with browser_client(app) as browser:
        leader = await signed_in(browser, state, clock, team, ADA)
        page = await leader.get("/a/cases")
    assert page.status_code == 200
    assert f'id="retention-due-{case_id}"' in page.text, "and the leader's list marks it"


async def test_a_purged_alert_gets_no_case_afterwards(scenario: Scenario, state: AppState) -> None:
    """With an alert period shorter than the follow-up's look-back, a fatal alert purged before
    the worker opened its case does not get one from what is left of it."""
    await desk(scenario)
    alert_id = await scenario.alert(
        kind="fatal", clinical={"outcome": "deceased"}, naloxone=False, ago=timedelta(minutes=5)
    )
    short = state.settings.model_copy(update={"retention": RetentionSettings(alert_days=1)})
    scenario.advance(1 * DAYS)
    done = await run_pass(
        state.sessions, settings=short, cipher=state.cipher, now=state.clock.now()
    )
    assert done[Category.ALERT] == 1
    await scenario.settle()
    async with state.sessions() as session:
        cases = await session.execute(
            select(FollowupCase).where(col(FollowupCase.alert_id) == alert_id)
        )
        assert cases.first() is None
