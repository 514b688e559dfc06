"""The token endpoint under attack: failed attempts are limited per client id and per address,
the real holder recovers with time, and secret checks cannot starve the rest of the service."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from app.auth import limits, service
from app.auth import secrets as client_secrets
from app.clock import FakeClock
from app.state import AppState
from tests.factories import Factory
from tests.problems import assert_problem

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
SECOND = timedelta(seconds=1)


def at(minutes: float) -> datetime:
    return T0 + minutes * MIN


@pytest.mark.parametrize(
    ("now", "start", "wait"),
    [
        (T0, T0, 10 * 60),  # windows are aligned to the epoch: 12:00 starts one
        (T0 + 9 * MIN, T0, 60),
        (T0 + 9 * MIN + 59.5 * SECOND, T0, 1),  # at least a second
        (T0 + 10 * MIN, T0 + 10 * MIN, 10 * 60),  # the next window
    ],
)
def test_fixed_windows(now: datetime, start: datetime, wait: int):
    assert limits.BY_CLIENT.start(now) == int(start.timestamp())
    assert limits.BY_CLIENT.wait(now) == wait


async def client_at(app: FastAPI, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://odvarsel.test") as http:
        yield http


@pytest.fixture
async def attacker(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async for http in client_at(app, "203.0.113.66"):
        yield http


@pytest.fixture
async def holder(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async for http in client_at(app, "198.51.100.7"):
        yield http


def form(client_id: str, secret: str, **extra: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": secret,
        **extra,
    }


async def test_wrong_secrets_are_limited_and_the_limit_passes_with_time(
    factory: Factory, http: httpx.AsyncClient, clock: FakeClock
):
    client = await factory.api_client(with_token=False)
    for _ in range(limits.CLIENT_FAILURES):
        wrong = await http.post("/v1/oauth/token", data=form(client.client_id, "wrong"))
        assert_problem(wrong, 401)
    limited = await http.post("/v1/oauth/token", data=form(client.client_id, client.secret))
    body = assert_problem(limited, 429)
    retry_after = int(limited.headers["retry-after"])
    assert 0 < retry_after <= limits.WINDOW.total_seconds()
    assert "wrong" not in str(body["detail"]) and client.client_id not in str(body["detail"])
    clock.advance(timedelta(seconds=retry_after))
    ok = await http.post("/v1/oauth/token", data=form(client.client_id, client.secret))
    assert ok.status_code == 200, ok.text


async def test_successful_requests_are_not_limited(factory: Factory, http: httpx.AsyncClient):
    client = await factory.api_client(with_token=False)
    for _ in range(limits.CLIENT_FAILURES * 2):
        ok = await http.post("/v1/oauth/token", data=form(client.client_id, client.secret))
        assert ok.status_code == 200, ok.text


async def test_one_address_guessing_many_client_ids_is_limited(attacker: httpx.AsyncClient):
    for i in range(limits.ADDRESS_FAILURES):
        wrong = await attacker.post("/v1/oauth/token", data=form(f"guess-{i}", "wrong"))
        assert_problem(wrong, 401)
    assert_problem(await attacker.post("/v1/oauth/token", data=form("guess-x", "wrong")), 429)


async def test_the_holder_keeps_getting_tokens_while_others_guess_its_secret(
    factory: Factory, attacker: httpx.AsyncClient, holder: httpx.AsyncClient
):
    client = await factory.api_client(with_token=False)
    first = await holder.post("/v1/oauth/token", data=form(client.client_id, client.secret))
    assert first.status_code == 200, first.text
    for _ in range(limits.CLIENT_FAILURES + 1):
        await attacker.post("/v1/oauth/token", data=form(client.client_id, "wrong"))
    assert_problem(
        await attacker.post("/v1/oauth/token", data=form(client.client_id, client.secret)), 429
    )
    again = await holder.post("/v1/oauth/token", data=form(client.client_id, client.secret))
    assert again.status_code == 200, again.text


async def test_a_refused_scope_is_not_repeated(factory: Factory, http: httpx.AsyncClient):
    client = await factory.api_client(with_token=False)
    odd = "alerts:write Kari-Nordmann-01010750161"
    response = await http.post(
        "/v1/oauth/token", data=form(client.client_id, client.secret, scope=odd)
    )
    body = assert_problem(response, 400)
    assert body["error"] == "invalid_scope"
    assert "Kari" not in str(body) and "01010750161" not in str(body)


async def test_secret_checks_run_at_most_a_few_at_a_time(
    factory: Factory, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
):
    client = await factory.api_client(with_token=False)
    running, most = 0, 0
    lock = threading.Lock()
    real: Callable[[str | None, str], bool] = client_secrets.verify_secret

    def slow_verify(secret_hash: str | None, secret: str) -> bool:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return real(secret_hash, secret)

    monkeypatch.setattr(service, "verify_secret", slow_verify)
    answers = await asyncio.gather(
        *(
            http.post("/v1/oauth/token", data=form(client.client_id, client.secret))
            for _ in range(8)
        )
    )
    assert [a.status_code for a in answers] == [200] * 8
    assert most == limits.CONCURRENT_SECRET_CHECKS


async def test_attempts_waiting_for_a_check_count_against_the_limit(
    factory: Factory, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
):
    # Counted only once checked, the attempts queued behind the check slot all got checked:
    # 16 flooders got 24 argon2 checks against a limit of 10.
    client = await factory.api_client(with_token=False)
    checks = 0
    real: Callable[[str | None, str], bool] = client_secrets.verify_secret

    def counted_verify(secret_hash: str | None, secret: str) -> bool:
        nonlocal checks
        checks += 1
        time.sleep(0.01)
        return real(secret_hash, secret)

    monkeypatch.setattr(service, "verify_secret", counted_verify)
    answers = await asyncio.gather(
        *(http.post("/v1/oauth/token", data=form(client.client_id, "wrong")) for _ in range(16))
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [401] * limits.CLIENT_FAILURES + [429] * (16 - limits.CLIENT_FAILURES)
    assert checks == limits.CLIENT_FAILURES


async def test_a_good_attempt_is_taken_back_and_not_counted_as_a_failure(state: AppState):
    guard = state.token_guard
    for second in range(limits.CLIENT_FAILURES - 1):
        now = T0 + second * SECOND
        assert await guard.admit(client_id="amk", address="10.0.0.1", now=now) is None
    good_at = T0 + 30 * SECOND
    assert await guard.admit(client_id="amk", address="10.0.0.2", now=good_at) is None
    await guard.succeeded(client_id="amk", address="10.0.0.2", now=good_at)
    # From an address not known for the client: one failure left, then the limit.
    later = good_at + SECOND
    assert await guard.admit(client_id="amk", address="10.0.0.3", now=later) is None
    assert await guard.admit(client_id="amk", address="10.0.0.3", now=later) is not None
    # The address that got a token is not held back by the others' failures.
    assert await guard.admit(client_id="amk", address="10.0.0.2", now=later) is None


async def test_no_database_connection_is_held_while_a_secret_is_checked(
    factory: Factory, http: httpx.AsyncClient, state: AppState, monkeypatch: pytest.MonkeyPatch
):
    # On SQLite every transaction holds the write lock; on PostgreSQL a pooled connection:
    # either, held through a slow hash, lets wrong secrets stall alert intake.
    client = await factory.api_client(with_token=False)
    held: list[int] = []
    real: Callable[[str | None, str], bool] = client_secrets.verify_secret

    def watched_verify(secret_hash: str | None, secret: str) -> bool:
        held.append(state.engine.pool.checkedout())  # type: ignore[attr-defined]
        return real(secret_hash, secret)

    monkeypatch.setattr(service, "verify_secret", watched_verify)
    ok = await http.post("/v1/oauth/token", data=form(client.client_id, client.secret))
    assert ok.status_code == 200, ok.text
    assert held == [0]
