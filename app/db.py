"""The async engine and sessions: SQLite (aiosqlite) by default, PostgreSQL (asyncpg) in production.

A request's transaction is `app.deps.TxSession` (committed before the answer is sent); the
worker's engines, the dispatcher and the CLI open their own (``async with session.begin()``);
services and repositories never commit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel.sql.expression import SelectOfScalar

from app.config import Settings

SQLITE_BUSY_TIMEOUT_MS = 10_000

T = TypeVar("T")


def create_engine(settings: Settings, **overrides: Any) -> AsyncEngine:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            from pathlib import Path

            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        overrides.pop("pool_size", None)  # one writer at a time: the default pool serves
        engine = create_async_engine(
            url, connect_args={"timeout": 30}, hide_parameters=True, **overrides
        )
        _configure_sqlite(engine)
        return engine
    options: dict[str, Any] = {
        "pool_size": settings.database_pool_size,
        "max_overflow": settings.database_max_overflow,
        "hide_parameters": True,
    }
    options.update(overrides)
    return create_async_engine(url, **options)


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL for concurrent readers, a busy timeout, BEGIN IMMEDIATE for writers, and
    secure_delete so that what retention purges is overwritten in the file, not left in its
    free pages (docs/rules.md, "Retention").

    pysqlite starts transactions lazily and as DEFERRED, so two writers can deadlock on the
    upgrade to a write lock; taking the lock at BEGIN makes them queue on the busy timeout.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_postgresql(session: AsyncSession) -> bool:
    """Row locks (FOR UPDATE SKIP LOCKED) and NOTIFY exist only on PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


async def one_or_none(
    session: AsyncSession,
    statement: SelectOfScalar[T],
    *,
    for_update: bool = False,
    afresh: bool = False,
) -> T | None:
    """The row `statement` selects, if any. `for_update` locks it on PostgreSQL (SQLite needs
    no lock: every transaction there takes the write lock at BEGIN); `afresh` with it loads
    the row again even if the session holds it already, read before the lock: a change
    committed meanwhile would go unseen."""
    if for_update:
        if afresh:
            statement = statement.execution_options(populate_existing=True)
        if is_postgresql(session):
            statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def claim(session: AsyncSession, statement: SelectOfScalar[T]) -> list[T]:
    """The rows `statement` selects, locked for this worker's round: on PostgreSQL those
    another worker holds are skipped (FOR UPDATE SKIP LOCKED), so workers share the work."""
    if is_postgresql(session):
        statement = statement.with_for_update(skip_locked=True)
    return list((await session.execute(statement)).scalars())


# SQLite names the constraint kind and the columns, never the values.
_SQLITE_CONSTRAINT = re.compile(
    r"^(?P<kind>UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed(?:: (?P<what>[\w., ]+))?$"
)


def describe_error(exc: BaseException) -> dict[str, str]:
    """What failed, for a log line: the error's type and, for a database error, its SQLSTATE,
    constraint, table and columns.

    Never the message of a database error as a whole: PostgreSQL's DETAIL and the statement's
    parameters quote the values (a phone number, a provider id), and logs carry no such data.
    """
    fields = {"error_type": type(exc).__name__}
    orig = getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's error
    if orig is None:
        return fields
    fields["db_error"] = type(orig).__name__
    # asyncpg's own exception (UniqueViolationError, ...) is the cause of SQLAlchemy's adaptor.
    for source in (orig, orig.__cause__):
        for attribute, key in (
            ("sqlstate", "sqlstate"),
            ("constraint_name", "constraint"),
            ("table_name", "table"),
            ("column_name", "columns"),
        ):
            value = getattr(source, attribute, None)
            if isinstance(value, str) and value:
                fields[key] = value
    if "constraint" not in fields and (match := _SQLITE_CONSTRAINT.match(str(orig))):
        fields["constraint"] = match["kind"]
        names = [name.strip() for name in (match["what"] or "").split(",") if name.strip()]
        if match["kind"] == "CHECK" and names:
            fields["constraint"] = names[0]
        elif names:
            fields["table"] = names[0].split(".")[0]
            fields["columns"] = ",".join(name.split(".")[-1] for name in names)
    return fields


@dataclass
class Attempt:
    """How an `isolated` block ended: `failed` if it raised (rolled back and logged)."""

    failed: bool = False


@asynccontextmanager
async def isolated(
    session: AsyncSession, log: logging.Logger, failure: str, **extra: str
) -> AsyncIterator[Attempt]:
    """A savepoint for one item of a batch, so that one broken item does not stop the others:
    if the block raises, its writes are rolled back, `failure` is logged with `extra` and
    `describe_error` (never the error's message), and the batch goes on; the caller reads
    `Attempt.failed` to retry the item later."""
    attempt = Attempt()
    try:
        async with session.begin_nested():
            yield attempt
    except Exception as exc:
        attempt.failed = True
        log.error(failure, extra={**extra, **describe_error(exc)})


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """`work` in one transaction on an engine of its own, disposed afterwards: for commands
    run outside the app (the CLI), which have no lifespan holding an engine."""
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()
