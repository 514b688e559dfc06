"""Two API processes on one database count a client id's wrong secrets together: once the
limit is reached, both refuse it (with counters in each process's memory, each allowed its
own full budget). The processes are uvicorn subprocesses on loopback, as in production behind
a proxy, on the test's database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import anyio
import httpx
import pytest

import app as app_package
from app.auth import limits
from app.auth import service as auth_service
from app.clock import SystemClock
from app.db import create_engine, create_sessionmaker
from devtools.loopback import free_port
from tests.databases import TEST_JWT_SECRET, settings_for
from tests.problems import assert_problem
from tests.waiting import wait_for

ROOT = Path(app_package.__file__).resolve().parent.parent
START_WITHIN_SECONDS = 240.0  # a loaded CI machine: imports alone took 50 s once
ATTEMPTS_WITHIN_SECONDS = 90


@contextmanager
def api_process(database_url: str, tmp_path: Path, name: str) -> Iterator[str]:
    """An API process (`uvicorn --factory app.main:app_from_env`) on 127.0.0.1; its URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path),
        "AUTH__JWT_SECRET": TEST_JWT_SECRET,
        "WORKER__RUN_IN_APP": "false",
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "app.main:app_from_env"]
    with open(tmp_path / f"{name}.log", "wb") as log:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=30)


async def until_up(http: httpx.AsyncClient, url: str, log: Path) -> None:
    deadline = asyncio.get_running_loop().time() + START_WITHIN_SECONDS
    while asyncio.get_running_loop().time() < deadline:
        try:
            if (await http.get(f"{url}/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    output = await anyio.Path(log).read_text(errors="replace")
    raise AssertionError(f"{url} did not start:\n{output}")


@pytest.fixture
async def client_id(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    """A registered client (id, secret) in the shared database."""
    engine = create_engine(settings_for(database_url, tmp_path))
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            created = await auth_service.create_client(
                session,
                name="AMK",
                municipality_codes=[],
                scopes=["alerts:write"],
                now=datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
            )
        yield created.client_id, created.secret
    finally:
        await engine.dispose()


async def inside_one_window() -> None:
    """The windows are fixed, on the processes' real clock: wait until the current one has
    long enough left for all the attempts to fall into it."""
    await wait_for(
        lambda: limits.BY_CLIENT.wait(SystemClock().now()) >= ATTEMPTS_WITHIN_SECONDS,
        within=ATTEMPTS_WITHIN_SECONDS + 5,
        every=0.5,
    )


def form(client_id: str, secret: str) -> dict[str, str]:
    return {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}


@pytest.mark.wall_clock  # the API processes run on the real clock
async def test_two_processes_refuse_a_client_ids_wrong_secrets_together(
    database_url: str, tmp_path: Path, client_id: tuple[str, str]
) -> None:
    identifier, secret = client_id
    with ExitStack() as processes:
        urls = [
            processes.enter_context(api_process(database_url, tmp_path, name))
            for name in ("api-1", "api-2")
        ]
        async with httpx.AsyncClient(timeout=60) as http:
            for url, name in zip(urls, ("api-1", "api-2"), strict=True):
                await until_up(http, url, tmp_path / f"{name}.log")
            token_urls = [f"{url}/v1/oauth/token" for url in urls]
            await inside_one_window()
            # Half the budget on each process: together they reach the limit.
            for attempt in range(limits.CLIENT_FAILURES):
                wrong = await http.post(
                    token_urls[attempt % 2], data=form(identifier, f"wrong-{attempt}")
                )
                assert_problem(wrong, 401)
            for url in token_urls:
                refused = await http.post(url, data=form(identifier, "wrong-again"))
                assert_problem(refused, 429)
                assert 1 <= int(refused.headers["retry-after"]) <= limits.WINDOW.total_seconds()
                # Even the right secret waits: from an address that never got a token, the
                # client id is held back on both processes.
                assert_problem(await http.post(url, data=form(identifier, secret)), 429)
