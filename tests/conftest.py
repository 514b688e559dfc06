"""Fixtures: a fresh migrated database per test, the app on it, a fake clock, API clients,
and the scenario harness on them (tests/scenario.py)."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import secrets as secrets_module
from app.clock import FakeClock, SystemClock
from app.config import Settings
from app.main import create_app
from app.state import AppState
from tests.databases import TemplateDatabase, settings_for
from tests.factories import Factory
from tests.scenario import Scenario

START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session", autouse=True)
def cheap_secret_hashing() -> Iterator[None]:
    """argon2id with minimal cost: the same algorithm, a fraction of the time per test."""
    original = secrets_module._hasher
    secrets_module._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    secrets_module._hasher = original


@pytest.fixture(autouse=True)
def no_wall_clock(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Time in a test comes from the `clock` fixture: reading SystemClock fails the test.

    Each read is recorded and the test fails at teardown, even when the code under test
    caught the error (the worker logs and retries). A test whose other processes run on the
    real clock opts out with ``@pytest.mark.wall_clock`` and says why that is safe when CI
    moves the clock (``faketime``). Reading the clock directly (datetime.now, time.time) is
    refused by ruff (TID251).
    """
    if request.node.get_closest_marker("wall_clock") is not None:
        yield
        return
    reads: list[str] = []

    def refuse(_self: SystemClock) -> datetime:
        reads.append(request.node.nodeid)
        raise AssertionError("the test read the wall clock: pass the `clock` fixture instead")

    monkeypatch.setattr(SystemClock, "now", refuse)
    yield
    assert not reads, f"SystemClock.now() was called {len(reads)} time(s); use the clock fixture"


@pytest.fixture(scope="session")
def template_database() -> Iterator[TemplateDatabase]:
    template = TemplateDatabase.create(Path(tempfile.mkdtemp(prefix="odvarsel-test-")))
    yield template
    template.destroy()


@pytest.fixture
async def database_url(template_database: TemplateDatabase) -> AsyncIterator[str]:
    name = await template_database.lend()
    yield template_database.url_of(name)
    await template_database.give_back(name)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return settings_for(database_url, tmp_path)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[FastAPI]:
    application = create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def state(app: FastAPI) -> AppState:
    app_state: AppState = app.state.odvarsel
    return app_state


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://odvarsel.test") as client:
        yield client


@pytest.fixture
async def session(state: AppState) -> AsyncIterator[AsyncSession]:
    async with state.sessions() as db_session:
        yield db_session


@pytest.fixture
def factory(state: AppState, http: httpx.AsyncClient, clock: FakeClock) -> Factory:
    return Factory(state=state, http=http, clock=clock)


@pytest.fixture
def scenario(
    factory: Factory, state: AppState, clock: FakeClock, http: httpx.AsyncClient
) -> Scenario:
    """The scenario harness; its SMS are the console sender's."""
    return Scenario(factory=factory, state=state, clock=clock, http=http)
