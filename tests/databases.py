"""Per-test databases: migrated once per session into a template, copied for every test.

TEST_DATABASE=sqlite (default) or postgresql; TEST_POSTGRES_URL points at the server
(default postgresql+asyncpg://postgres@127.0.0.1:5432). Every database made here is dropped.

On PostgreSQL a copy costs about 0.3 s (CREATE DATABASE copies every catalog page through
the WAL, and DROP DATABASE is as dear), most of a short test's time: so a database a test
is done with is emptied instead (`_reset`: its other sessions ended, every row deleted, every
sequence restarted) and lent to the next test. That is the template's state again,
as migrations write no rows but alembic's. A database whose reset fails, or whose schema a
test left at another revision (the migration tests go down and up), is dropped instead.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from app.cli import run_migrations
from app.config import Settings
from app.config.sections import AuthSettings, WorkerSettings

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432")
TEST_JWT_SECRET = "test-signing-key-0123456789-abcdefghijklmnop"


def settings_for(database_url: str, data_dir: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        auth=AuthSettings(jwt_secret=TEST_JWT_SECRET),
        # Tests drive the worker round by round (Scenario.settle, tests/scenario.py) with a
        # fake clock.
        worker=WorkerSettings(run_in_app=False),
        log_json=False,
    )


def _pg_admin_dsn() -> str:
    url = make_url(POSTGRES_URL).set(drivername="postgresql", database="postgres")
    return url.render_as_string(hide_password=False)


def _pg_url(database: str) -> str:
    return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)


async def _pg_execute(sql: str) -> None:
    connection = await asyncpg.connect(_pg_admin_dsn())
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


_REVISION = "SELECT string_agg(version_num, ',') FROM alembic_version"


async def _pg_connect(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )


async def _pg_revision(url: str) -> str:
    connection = await _pg_connect(url)
    try:
        revision: str = await connection.fetchval(_REVISION)
        return revision
    finally:
        await connection.close()


async def _reset(url: str, revision: str) -> bool:
    """Empty a lent PostgreSQL database back to the template's state; False if it cannot be
    (then it is dropped)."""
    connection = await _pg_connect(url)
    try:
        # As DROP DATABASE ... WITH (FORCE) would: nothing of the last test writes on.
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        if await connection.fetchval(_REVISION) != revision:
            return False
        tables = await connection.fetch(
            "SELECT quote_ident(tablename) AS name FROM pg_tables"
            " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
        sequences = await connection.fetch(
            "SELECT quote_ident(sequence_name) AS name FROM information_schema.sequences"
            " WHERE sequence_schema = 'public'"
        )
        async with connection.transaction():
            # Replica mode skips user triggers (the access log refuses DELETE) and foreign-key
            # checks, so the order does not matter. DELETE, not TRUNCATE: a test's few rows go
            # in milliseconds, where TRUNCATE makes new files for every table (~0.3 s).
            await connection.execute("SET LOCAL session_replication_role = replica")
            await connection.execute("; ".join(f"DELETE FROM {row['name']}" for row in tables))
            for row in sequences:
                await connection.execute(f"ALTER SEQUENCE {row['name']} RESTART")
        return True
    except asyncpg.PostgresError:
        return False
    finally:
        await connection.close()


@dataclass
class TemplateDatabase:
    """A migrated database that each test copies (on PostgreSQL: or gets emptied)."""

    backend: str
    name: str
    directory: Path
    revision: str = ""
    lendable: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, directory: Path) -> TemplateDatabase:
        name = f"odvarsel_test_{uuid.uuid4().hex[:10]}"
        template = cls(backend=BACKEND, name=name, directory=directory)
        if BACKEND == "postgresql":
            asyncio.run(_pg_execute(f'CREATE DATABASE "{name}"'))
        run_migrations(settings_for(template.url_of(name), directory))
        if BACKEND == "postgresql":
            template.revision = asyncio.run(_pg_revision(template.url_of(name)))
        return template

    async def lend(self) -> str:
        """A database in the template's state for one test: an emptied one, or a new copy."""
        if self.lendable:
            return self.lendable.pop()
        return await self.copy()

    async def give_back(self, name: str) -> None:
        """Keep a PostgreSQL database for the next test if it empties cleanly, else drop it."""
        if self.backend == "postgresql" and await _reset(self.url_of(name), self.revision):
            self.lendable.append(name)
            return
        await self.drop(name)

    def url_of(self, name: str) -> str:
        if self.backend == "postgresql":
            return _pg_url(name)
        return f"sqlite+aiosqlite:///{self.directory / name}.db"

    async def copy(self) -> str:
        name = f"{self.name}_{uuid.uuid4().hex[:8]}"
        if self.backend == "postgresql":
            await _pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
        else:
            shutil.copyfile(self.directory / f"{self.name}.db", self.directory / f"{name}.db")
        return name

    async def drop(self, name: str) -> None:
        if self.backend == "postgresql":
            await _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            for suffix in (".db", ".db-wal", ".db-shm"):
                (self.directory / f"{name}{suffix}").unlink(missing_ok=True)

    def destroy(self) -> None:
        if self.backend == "postgresql":
            for name in self.lendable:
                asyncio.run(_pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            asyncio.run(_pg_execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        else:
            shutil.rmtree(self.directory, ignore_errors=True)
