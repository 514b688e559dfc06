"""A database that cannot be reached is a 503 with Retry-After, never a 500 that claims
"nothing was stored": the failure may come after the commit, and a retry with the same
dispatch incident id is safe (idempotency), so that is what the answer says."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from app.auth.scopes import Scope
from app.clock import FakeClock
from app.config import Settings
from app.main import create_app
from app.state import AppState
from tests.databases import BACKEND, _pg_admin_dsn
from tests.factories import ApiCredentials, Factory, alert_body
from tests.problems import assert_problem


def assert_unavailable(response: httpx.Response) -> None:
    problem = assert_problem(response, 503)
    assert problem["type"].endswith("/service-unavailable")
    assert int(response.headers["retry-after"]) > 0
    assert "same dispatch incident id is safe" in problem["detail"]
    assert "nothing was stored" not in problem["detail"].lower()


@pytest.fixture
async def unreachable_app(settings: Settings, clock: FakeClock) -> AsyncIterator[FastAPI]:
    # Port 1: nothing listens there, the connection is refused at once.
    gone = settings.model_copy(
        update={"database_url": "postgresql+asyncpg://postgres@127.0.0.1:1/none"}
    )
    application = create_app(gone, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


async def test_an_alert_for_an_unreachable_database_is_a_503(
    unreachable_app: FastAPI, clock: FakeClock
):
    state: AppState = unreachable_app.state.odvarsel
    token = state.tokens.issue(client_id="amk", scopes=[Scope.ALERTS_WRITE], now=clock.now())
    headers = {"Authorization": f"Bearer {token}"}
    transport = httpx.ASGITransport(app=unreachable_app)  # raises what the app does not handle
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        for _ in range(2):  # the second request finds the app still answering
            assert_unavailable(await http.post("/v1/alerts", json=alert_body(), headers=headers))


async def test_an_unexpected_error_does_not_claim_that_nothing_was_stored(app: FastAPI):
    async def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        problem = assert_problem(await http.get("/boom"), 500)
    assert "nothing was stored" not in problem["detail"].lower()
    assert "same dispatch incident id is safe" in problem["detail"]


@pytest.mark.skipif(BACKEND != "postgresql", reason="terminates PostgreSQL connections")
async def test_connections_cut_by_a_database_restart_are_a_503_then_recover(
    http: httpx.AsyncClient, factory: Factory, state: AppState
):
    amk: ApiCredentials = await factory.api_client(municipalities=("3107",))
    assert (await http.post("/v1/alerts", json=alert_body(), headers=amk.headers)).is_success
    database = state.engine.url.database
    admin = await asyncpg.connect(_pg_admin_dsn())
    try:  # what a restart does to every open connection
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", database
        )
    finally:
        await admin.close()

    answers = [
        await http.post("/v1/alerts", json=alert_body(), headers=amk.headers) for _ in range(3)
    ]
    for response in answers:
        if response.status_code == 503:
            assert_unavailable(response)
        else:
            assert response.status_code == 201, response.text
    assert 503 in [r.status_code for r in answers]
    assert answers[-1].status_code == 201  # the pool reconnects
