"""Per-test databases: migrated once per session into a template, copied for every test.

TEST_DATABASE=sqlite (default) or postgresql; TEST_POSTGRES_URL points at the server
(default postgresql+asyncpg://postgres@127.0.0.1:5432). Every database made here is dropped.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from dataclasses import dataclass
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


@dataclass
class TemplateDatabase:
    """A migrated database that each test copies."""

    backend: str
    name: str
    directory: Path

    @classmethod
    def create(cls, directory: Path) -> TemplateDatabase:
        name = f"odvarsel_test_{uuid.uuid4().hex[:10]}"
        template = cls(backend=BACKEND, name=name, directory=directory)
        if BACKEND == "postgresql":
            asyncio.run(_pg_execute(f'CREATE DATABASE "{name}"'))
        run_migrations(settings_for(template.url_of(name), directory))
        return template

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
            asyncio.run(_pg_execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        else:
            shutil.rmtree(self.directory, ignore_errors=True)
