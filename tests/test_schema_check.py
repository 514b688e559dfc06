"""`odvarsel serve` on a database this code's migrations have not reached stops with one line
(app/schema_check.py): a newcomer's `odvarsel serve` before `odvarsel migrate` used to start
and answer every request 500 on PostgreSQL, with nothing saying what to run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner, Result

from app import cli
from app.config import get_settings
from devtools.loopback import free_port


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, Any]]:
    """What uvicorn was asked to serve (nothing is served)."""
    runs: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: runs.append(options))
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    return runs


def serve(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Result:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(cli.cli, ["serve"])
    finally:
        get_settings.cache_clear()


def test_a_database_never_migrated_stops_serve_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, started: list[dict[str, Any]]
) -> None:
    result = serve(monkeypatch, f"sqlite+aiosqlite:///{tmp_path}/never-migrated.db")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: the database at DATABASE_URL is at revision none (never migrated), not this "
        "code's: run `odvarsel migrate`"
    ]
    assert started == []


def test_a_migrated_database_is_served(
    monkeypatch: pytest.MonkeyPatch, database_url: str, started: list[dict[str, Any]]
) -> None:
    result = serve(monkeypatch, database_url)
    assert result.exit_code == 0, result.output
    assert len(started) == 1


def test_a_database_not_reachable_yet_is_served(
    monkeypatch: pytest.MonkeyPatch, started: list[dict[str, Any]]
) -> None:
    # It answers 503 until the database is up, as when the database goes away later.
    result = serve(monkeypatch, f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none")
    assert result.exit_code == 0, result.output
    assert len(started) == 1
