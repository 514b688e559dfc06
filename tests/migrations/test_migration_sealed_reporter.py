"""Migration 0007 seals the reporter of alerts stored before it, and the downgrade restores it."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.cli import run_migrations as migrate
from app.config import Settings
from app.db import create_engine
from app.privacy.keys import build_cipher
from tests.databases import BACKEND, _pg_execute, _pg_url, settings_for

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
ALERT_ID = uuid.UUID("0b9f6a52-8a3c-4a7e-9d51-2f0c2b4e7d10")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
async def empty_database(tmp_path: Path) -> AsyncIterator[Settings]:
    if BACKEND == "postgresql":
        name = f"odvarsel_test_m7_{uuid.uuid4().hex[:8]}"
        await _pg_execute(f'CREATE DATABASE "{name}"')
        yield settings_for(_pg_url(name), tmp_path)
        await _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield settings_for(f"sqlite+aiosqlite:///{tmp_path / 'm7.db'}", tmp_path)


async def run(settings: Settings, statement: str, **params: object) -> list[sa.Row[Any]]:
    engine = create_engine(settings)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(sa.text(statement), params)
            return list(result) if result.returns_rows else []
    finally:
        await engine.dispose()


async def test_rows_stored_before_0007_are_sealed_then_restored(empty_database: Settings):
    settings = empty_database
    await _in_thread(migrate, settings, "0004")
    alert_id = ALERT_ID.hex if BACKEND == "sqlite" else str(ALERT_ID)
    await run(settings, "INSERT INTO municipality VALUES ('3107', 'Fredrikstad', :now)", now=NOW)
    await run(
        settings,
        "INSERT INTO api_client (id, name, secret_hash, scopes, active, created_at) "
        "VALUES ('amk', 'AMK', 'x', 'alerts:write', true, :now)",
        now=NOW,
    )
    await run(
        settings,
        "INSERT INTO alert (id, client_id, dispatch_incident_id, request_fingerprint, "
        "municipality_code, kind, occurred_at, received_at, status, consent_state, "
        "consent_recipients, dropped_fields, reporter_unit, reporter_callback_phone) VALUES "
        "(:id, 'amk', 'AMK-1', 'f', '3107', 'fatal', :now, :now, 'received', 'not_asked', "
        "'[]', '[]', 'Ambulanse Sarpsborg 7', '+4769123456')",
        id=alert_id,
        now=NOW,
    )

    await _in_thread(migrate, settings, "0007")
    (row,) = await run(settings, "SELECT * FROM alert")
    columns = row._mapping
    assert "reporter_unit" not in columns and "reporter_callback_phone" not in columns
    assert "Sarpsborg" not in str(dict(columns))
    opened = build_cipher(settings).open(
        columns["reporter_sealed"], context=f"alert:{ALERT_ID}:reporter"
    )
    assert json.loads(opened) == {
        "reporter.callback_phone": "+4769123456",
        "reporter.unit": "Ambulanse Sarpsborg 7",
    }

    await _in_thread(migrate, settings, "0004", down=True)
    (row,) = await run(settings, "SELECT reporter_unit, reporter_callback_phone FROM alert")
    assert tuple(row) == ("Ambulanse Sarpsborg 7", "+4769123456")


async def _in_thread(function: Callable[..., None], *args: Any, **kwargs: Any) -> None:
    await asyncio.to_thread(function, *args, **kwargs)  # alembic's env.py runs its own loop
