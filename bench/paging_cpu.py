"""Paging: the worker's and PostgreSQL's CPU, round trips and new connections per alert, and
what an idle worker asks the database.

    .venv/bin/python -m bench.paging_cpu                 # 500 alerts
    .venv/bin/python -m bench.paging_cpu --alerts 2000

The service runs without its in-app worker; `odvarsel worker` runs as its own process with
its round trips counted (bench/counting.py) and sends to the fake Twilio (no callbacks).
Idle: with nothing due (measured from 10 poll intervals after the last work, when the
lanes' after-work rounds are over), the round trips per poll interval. Paging: the worker is stopped
(SIGSTOP), --alerts alerts are posted, then it is let go (SIGCONT) and timed until every alert
is marked notified (its first SMS out); meanwhile only the worker uses PostgreSQL, so the
cluster's CPU (bench/procstat.py) is the worker's doing, but for the bench's own check of
one COUNT every 0.1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import asyncpg

from bench.counting import read
from bench.fake_twilio_process import fake_twilio
from bench.intake import alert_body
from bench.procstat import CpuMeter, load_average, postmaster_pid
from bench.server import service, token, worker_process
from devtools.loopback import free_port

POLL_SECONDS = 1.0


@dataclass
class PagingFigures:
    alerts: int
    seconds: float
    worker_ms: float
    postgres_ms: float
    round_trips: float
    connections: float
    idle_round_trips: float
    load: str

    def line(self) -> str:
        return (
            f"paging, 1 worker: {self.alerts / self.seconds:.0f} alerts/s;"
            f" {self.worker_ms:.2f} worker + {self.postgres_ms:.2f} PostgreSQL CPU-ms/alert"
            f" ({self.worker_ms + self.postgres_ms:.2f} together);"
            f" {self.round_trips:.1f} round trips and {self.connections:.3f} new connections"
            f" per alert; idle: {self.idle_round_trips:.1f} round trips per poll"
            f" ({POLL_SECONDS:g} s); load {self.load}"
        )


async def _post_all(base_url: str, auth: str, count: int) -> None:
    headers = {"Authorization": f"Bearer {auth}"}
    async with aiohttp.ClientSession(base_url=base_url, headers=headers) as http:
        queue = list(range(count))

        async def poster() -> None:
            while queue:
                queue.pop()
                async with http.post("/v1/alerts", json=alert_body("PG")) as response:
                    if response.status != 201:
                        raise RuntimeError(f"alert refused: {response.status}")

        await asyncio.gather(*(poster() for _ in range(16)))


async def _wait_notified(dsn: str, within: float) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        deadline = time.perf_counter() + within
        while await connection.fetchval("SELECT count(*) FROM alert WHERE notified_at IS NULL"):
            if time.perf_counter() > deadline:
                raise RuntimeError("alerts not paged in time")
            await asyncio.sleep(0.1)
    finally:
        await connection.close()


def _wait_counts_settle(counts: Path, minimum: int = 1) -> None:
    """Until the worker has started and made its first rounds."""
    deadline = time.perf_counter() + 30
    while read(counts)["round_trips"] < minimum and time.perf_counter() < deadline:
        time.sleep(0.1)


def measure(alerts: int, idle_seconds: float) -> PagingFigures:
    port = free_port()
    with fake_twilio(status_callbacks=False) as fake, tempfile.TemporaryDirectory() as folder:
        env = {
            **fake.sms_env(f"http://127.0.0.1:{port}"),
            "WORKER__RUN_IN_APP": "false",
            "WORKER__POLL_INTERVAL_SECONDS": str(POLL_SECONDS),
        }
        counts = Path(folder) / "counts.json"
        with (
            service(extra_env=env, port=port) as api,
            worker_process(api.database_url, env, counts=counts) as worker,
        ):
            dsn = api.database_url.replace("postgresql+asyncpg", "postgresql")
            auth = token(api.base_url)
            _wait_counts_settle(counts)
            asyncio.run(_post_all(api.base_url, auth, 20))  # warm: statements prepared
            asyncio.run(_wait_notified(dsn, 60))
            time.sleep(10 * POLL_SECONDS)  # the lanes' after-work rounds end
            before = read(counts)["round_trips"]
            time.sleep(idle_seconds)
            idle = (read(counts)["round_trips"] - before) / idle_seconds * POLL_SECONDS

            os.kill(worker.pid, signal.SIGSTOP)
            try:
                asyncio.run(_post_all(api.base_url, auth, alerts))
            finally:
                os.kill(worker.pid, signal.SIGCONT)
            os.kill(worker.pid, signal.SIGSTOP)
            meter = CpuMeter({"worker": worker.pid, "postgres": postmaster_pid()})
            first = read(counts)
            meter.start()
            start = time.perf_counter()
            os.kill(worker.pid, signal.SIGCONT)
            asyncio.run(_wait_notified(dsn, 600))
            seconds = time.perf_counter() - start
            used = meter.stop()
            time.sleep(0.3)  # the counts file is written every 0.1 s
            last = read(counts)
            statements = counts.with_suffix(".statements.json")
            if statements.exists():  # BENCH_COUNT_STATEMENTS=1: where the round trips went
                for text, number in json.loads(statements.read_text())[:25]:
                    print(f"  {number / alerts:6.2f} per alert  {text}")
    return PagingFigures(
        alerts=alerts,
        seconds=seconds,
        worker_ms=1000 * used["worker"] / alerts,
        postgres_ms=1000 * used["postgres"] / alerts,
        round_trips=(last["round_trips"] - first["round_trips"]) / alerts,
        connections=(last["connections"] - first["connections"]) / alerts,
        idle_round_trips=idle,
        load=load_average(),
    )


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--alerts", type=int, default=500)
    parser.add_argument("--idle-seconds", type=float, default=30)
    return parser


def main(args: argparse.Namespace | None = None) -> list[str]:
    args = args or parser().parse_args()
    line = measure(args.alerts, args.idle_seconds).line()
    print(line, flush=True)
    return [line]


if __name__ == "__main__":
    main()
