"""Starts the service as a real process on a fresh PostgreSQL database, for benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from devtools.loopback import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432")
DEMO_CLIENT = ("demo-amk", "demo-secret-only-for-make-run")


async def _admin(sql: str) -> None:
    dsn = POSTGRES.replace("postgresql+asyncpg", "postgresql") + "/postgres"
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@dataclass
class RunningService:
    base_url: str
    database_url: str
    pid: int
    """The server's process: its tree holds every uvicorn worker (bench/procstat.py)."""


@contextlib.contextmanager
def service(
    *, workers: int = 1, extra_env: dict[str, str] | None = None, port: int | None = None
) -> Iterator[RunningService]:
    """A migrated, seeded database and `odvarsel serve` on it; both removed afterwards."""
    with database() as database_url:
        port = port or free_port()
        with _serving(database_url, port, workers, extra_env or {}) as running:
            yield running


@contextlib.contextmanager
def database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (its SQLAlchemy URL), dropped afterwards."""
    name = f"odvarsel_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def _serving(
    database_url: str, port: int, workers: int, extra_env: dict[str, str]
) -> Iterator[RunningService]:
    env = service_env(database_url, {"HOST": "127.0.0.1", "PORT": str(port), **extra_env})
    process: subprocess.Popen[bytes] | None = None
    try:
        for command in (["migrate"], ["seed-demo"]):
            subprocess.run([BIN / "odvarsel", *command], env=env, check=True, capture_output=True)
        process = subprocess.Popen(
            [BIN / "odvarsel", "serve", "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base_url = f"http://127.0.0.1:{port}"
        # /readyz wants a worker's recent round: without the worker in the app (paging off)
        # none runs, so there only the process being up (/healthz) is waited for.
        run_in_app = env.get("WORKER__RUN_IN_APP", "true").strip().lower()
        in_app = run_in_app not in {"0", "off", "f", "false", "n", "no"}  # pydantic's false
        _wait_ready(base_url, "/readyz" if in_app else "/healthz")
        yield RunningService(base_url=base_url, database_url=database_url, pid=process.pid)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=20)


def service_env(database_url: str, extra_env: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "DATA_DIR": str(ROOT / "var" / "bench"),
        **extra_env,
    }


@contextlib.contextmanager
def worker_process(
    database_url: str, extra_env: dict[str, str], *, counts: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """`odvarsel worker` on the database; with `counts`, its round trips are counted there
    (bench/counting.py)."""
    env = service_env(database_url, extra_env)
    command = [sys.executable, "-m", "bench.counting", "worker"]
    if counts is not None:
        env["BENCH_COUNT_FILE"] = str(counts)
    else:
        command = [str(BIN / "odvarsel"), "worker"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_ready(base_url: str, path: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}{path}", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"service at {base_url} did not answer 200 on {path}")


def token(base_url: str, client: tuple[str, str] = DEMO_CLIENT) -> str:
    response = httpx.post(
        f"{base_url}/v1/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client[0],
            "client_secret": client[1],
        },
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]
