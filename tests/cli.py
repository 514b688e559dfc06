"""Running `odvarsel ...` in a test: the `odvarsel` fixture (import it into a conftest.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel
from typer.testing import CliRunner, Result

from app import tables  # noqa: F401 (every table, for `snapshot`)
from app.cli import cli
from app.clock import FakeClock, SystemClock
from app.config import get_settings
from app.db import in_transaction

T = TypeVar("T")
Odvarsel = Callable[..., Result]


@pytest.fixture
def odvarsel(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> Iterator[Odvarsel]:
    """Runs `odvarsel ARGS...` with DATABASE_URL pointing at this test's database; the
    commands read SystemClock, which here tells the test's time."""
    monkeypatch.setattr(SystemClock, "now", lambda _self: clock.now())
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: object) -> Result:
        return runner.invoke(cli, [str(a) for a in args])

    yield run
    get_settings.cache_clear()


def in_database(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    return asyncio.run(in_transaction(get_settings(), work))


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to show that a command wrote nothing."""

    async def read(session: AsyncSession) -> dict[str, list[tuple[object, ...]]]:
        rows: dict[str, list[tuple[object, ...]]] = {}
        for table in SQLModel.metadata.sorted_tables:
            result = await session.execute(select(table))
            rows[table.name] = sorted((tuple(row) for row in result), key=repr)
        return rows

    return in_database(read)
