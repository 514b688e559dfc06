"""Memory over many alerts: the API's resident set under intake, and the worker's as the
cluster window fills.

    .venv/bin/python -m bench.memory                  # 100 000 alerts each
    .venv/bin/python -m bench.memory --alerts 20000

API: two processes, paging off, wrk posting new alerts (bench/wrk/alerts.lua) in slices
until --alerts are stored; the resident memory of the server's process tree after each slice.
Worker: `odvarsel worker` on a fresh database while --alerts alerts arrive in one window of the
demo municipality in four steps (bulk inserts as in bench.cluster_check, already notified, so
that the cluster check, the worker's high-water mark, is what runs); after each step its
resident memory once the check has seen the new alerts. Flat means the last figure is close
to the first; growth is printed per 10 000 alerts.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import asyncpg

from bench.cluster_check import fill_window, prepare
from bench.intake_cpu import Target, wrk
from bench.procstat import load_average, tree_rss_mb
from bench.server import database, service, token, worker_process

SLICE_SECONDS = 10


def _growth(name: str, points: list[tuple[int, float]]) -> str:
    (first_alerts, first_mb), (last_alerts, last_mb) = points[0], points[-1]
    per_10k = (last_mb - first_mb) / max(last_alerts - first_alerts, 1) * 10_000
    step = max(1, len(points) // 4)
    shown = [*points[::step][:4], points[-1]]
    trail = ", ".join(f"{alerts // 1000}k {mb:.0f} MB" for alerts, mb in shown)
    return (
        f"memory, {name}: {first_mb:.0f} MB at {first_alerts} alerts -> {last_mb:.0f} MB at"
        f" {last_alerts} ({per_10k:+.1f} MB per 10 000 alerts; {trail}); load {load_average()}"
    )


def api_memory(alerts: int) -> str:
    with service(workers=2, extra_env={"WORKER__RUN_IN_APP": "false"}) as running:
        target = Target("odvarsel", running.base_url, running.pid, token(running.base_url))
        stored, number = 0, 0
        points: list[tuple[int, float]] = []
        while stored < alerts:
            created, _ = wrk(target, seconds=SLICE_SECONDS, connections=32, prefix=f"m{number}")
            stored, number = stored + created, number + 1
            points.append((stored, tree_rss_mb(running.pid)))
    return _growth("API (2 processes)", points)


async def _checked_since(database_url: str, since: float, within: float = 300) -> None:
    """Until the worker's cluster check has run after `since` (a Unix time)."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        deadline = time.monotonic() + within
        query = "SELECT max(extract(epoch FROM checked_at)) FROM cluster_check"
        while (await connection.fetchval(query) or 0) <= since:
            if time.monotonic() > deadline:
                raise RuntimeError("the cluster check did not run")
            await asyncio.sleep(0.2)
    finally:
        await connection.close()


def worker_memory(alerts: int) -> str:
    with database() as url:
        prepare(url)
        with worker_process(url, {}) as worker:
            time.sleep(3)
            points = [(0, tree_rss_mb(worker.pid))]
            step = alerts // 4
            for number in range(4):
                since = asyncio.run(fill_window(url, step, offset=number * step)).timestamp()
                asyncio.run(_checked_since(url, since))
                points.append(((number + 1) * step, tree_rss_mb(worker.pid)))
    return _growth("worker, cluster window", points)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    return parser


def main(args: argparse.Namespace | None = None) -> list[str]:
    args = args or parser().parse_args()
    lines = []
    for measure in (api_memory, worker_memory):
        lines.append(measure(args.alerts))
        print(lines[-1], flush=True)
    return lines


if __name__ == "__main__":
    main()
