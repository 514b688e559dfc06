"""Intake flat out under wrk: alerts/s and CPU-ms per alert, the service against the minimal
app (bench/minimal_app.py), in interleaved rounds of one run.

    .venv/bin/python -m bench.intake_cpu                     # 1 and 2 processes, 3 rounds
    .venv/bin/python -m bench.intake_cpu --processes 2 --rounds 5 --seconds 10

Each setup is started once per process count on a fresh PostgreSQL database, paging off
(intake alone: no worker in the app). A round runs wrk (2 threads, --connections) against the
minimal app and then the service, each for --seconds after a warm-up, and reads from /proc the
CPU the server's processes and the whole PostgreSQL cluster used meanwhile
(bench/procstat.py). Every request is a new alert (bench/wrk/alerts.lua); a non-201 is
counted and printed. The ratio is the service's CPU per alert (server + PostgreSQL) over the
minimal app's, from the medians of the rounds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.intake import BODY_TEMPLATE
from bench.procstat import CpuMeter, load_average, postmaster_pid
from bench.server import _wait_ready, database, service, token
from devtools.loopback import free_port

LUA = Path(__file__).parent / "wrk" / "alerts.lua"


@dataclass
class Target:
    name: str
    base_url: str
    pid: int
    token: str | None


@dataclass
class Round:
    alerts: int
    failed: int
    seconds: float
    server_cpu: float
    postgres_cpu: float
    load: str

    @property
    def per_second(self) -> float:
        return self.alerts / self.seconds

    @property
    def server_ms(self) -> float:
        return 1000 * self.server_cpu / max(self.alerts, 1)

    @property
    def postgres_ms(self) -> float:
        return 1000 * self.postgres_cpu / max(self.alerts, 1)


def body_template() -> str:
    body = {**BODY_TEMPLATE, "dispatch_incident_id": "@INCIDENT@", "occurred_at": "@OCCURRED@"}
    return json.dumps(body)


def wrk(target: Target, *, seconds: float, connections: int, prefix: str) -> tuple[int, int]:
    """Runs wrk against the target's POST /v1/alerts; (alerts created, requests refused)."""
    env = {**os.environ, "BENCH_BODY": body_template(), "BENCH_PREFIX": prefix}
    if target.token:
        env["BENCH_TOKEN"] = target.token
    command = ["wrk", "-t2", f"-c{connections}", f"-d{round(seconds)}s", "-s", str(LUA)]
    output = subprocess.run(
        [*command, f"{target.base_url}/v1/alerts"], env=env, capture_output=True, text=True
    ).stdout
    match = re.search(r"statuses 201=(\d+) other=(\d+)", output)
    if match is None:
        raise RuntimeError(f"wrk printed no statuses:\n{output}")
    return int(match[1]), int(match[2])


def measure(target: Target, postmaster: int, args: argparse.Namespace) -> Round:
    tag = uuid.uuid4().hex[:6]
    wrk(target, seconds=1, connections=args.connections, prefix=f"warm{tag}")
    meter = CpuMeter({"server": target.pid, "postgres": postmaster})
    meter.start()
    created, failed = wrk(
        target, seconds=args.seconds, connections=args.connections, prefix=f"r{tag}"
    )
    used = meter.stop()
    return Round(created, failed, args.seconds, used["server"], used["postgres"], load_average())


@contextlib.contextmanager
def minimal_app(processes: int) -> Iterator[Target]:
    with database() as url:
        port = free_port()
        env = {**os.environ, "BENCH_DSN": url.replace("postgresql+asyncpg", "postgresql")}
        command = [sys.executable, "-m", "uvicorn", "bench.minimal_app:app", "--host"]
        command += ["127.0.0.1", "--port", str(port), "--workers", str(processes)]
        command += ["--log-level", "warning", "--no-access-log"]
        process = subprocess.Popen(command, env=env)
        try:
            _wait_ready(f"http://127.0.0.1:{port}", "/healthz")
            yield Target("minimal", f"http://127.0.0.1:{port}", process.pid, None)
        finally:
            process.terminate()
            process.wait(timeout=20)


@contextlib.contextmanager
def odvarsel(processes: int) -> Iterator[Target]:
    with service(workers=processes, extra_env={"WORKER__RUN_IN_APP": "false"}) as running:
        yield Target("odvarsel", running.base_url, running.pid, token(running.base_url))


def summary(name: str, rounds: list[Round]) -> dict[str, float]:
    return {
        "per_second": statistics.median(r.per_second for r in rounds),
        "server_ms": statistics.median(r.server_ms for r in rounds),
        "postgres_ms": statistics.median(r.postgres_ms for r in rounds),
        "failed": sum(r.failed for r in rounds),
    }


def run(processes: int, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    postmaster = postmaster_pid()
    rounds: dict[str, list[Round]] = {"minimal": [], "odvarsel": []}
    with minimal_app(processes) as minimal, odvarsel(processes) as service_target:
        for number in range(args.rounds):
            for target in (minimal, service_target):
                result = measure(target, postmaster, args)
                rounds[target.name].append(result)
                print(
                    f"  {processes}p round {number + 1} {target.name:<9}"
                    f" {result.per_second:7.0f} alerts/s  server {result.server_ms:5.2f} ms"
                    f"  postgres {result.postgres_ms:5.2f} ms  failed {result.failed}"
                    f"  load {result.load}",
                    flush=True,
                )
    return {name: summary(name, values) for name, values in rounds.items()}


def ratio_line(processes: int, figures: dict[str, dict[str, float]]) -> str:
    minimal, ours = figures["minimal"], figures["odvarsel"]
    total = ours["server_ms"] + ours["postgres_ms"]
    base = minimal["server_ms"] + minimal["postgres_ms"]
    return (
        f"intake, {processes} process(es): odvarsel {ours['per_second']:.0f} alerts/s,"
        f" {ours['server_ms']:.2f} + {ours['postgres_ms']:.2f} CPU-ms/alert;"
        f" minimal {minimal['per_second']:.0f} alerts/s,"
        f" {minimal['server_ms']:.2f} + {minimal['postgres_ms']:.2f} CPU-ms/alert;"
        f" ratio {ours['server_ms'] / max(minimal['server_ms'], 1e-9):.1f}x server,"
        f" {total / max(base, 1e-9):.1f}x total; failed {ours['failed']:.0f}; load {load_average()}"
    )


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    return parser


def main(args: argparse.Namespace | None = None) -> list[str]:
    args = args or parser().parse_args()
    lines = []
    for processes in args.processes:
        lines.append(ratio_line(processes, run(processes, args)))
        print(lines[-1], flush=True)
    return lines


if __name__ == "__main__":
    main()
