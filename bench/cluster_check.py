"""The cluster check under a burst of alerts in one window (issue 18), old algorithm vs new.

    .venv/bin/python -m bench.cluster_check                      # 1k, 5k, 20k on PostgreSQL
    .venv/bin/python -m bench.cluster_check --sizes 1000 50000 --old-max 20000
    .venv/bin/python -m bench.cluster_check --database sqlite

For each window size N: N alerts of Fredrikstad spread over five hours (one six-hour window,
so one cluster of N), inserted in bulk into a fresh, migrated database. Printed:

* `detect`: the pure rule over the N events, the old one (groups copied out and merged by
  union-find, `tests/cluster_reference.py`) and the new one (one pass); then a radius rule
  (1 km) over N events at 200 places within 3 km (the old one only up to --old-max-radius);
* `check`: a whole check as the worker makes it, old (the alerts as ORM rows, the old rule
  and signal matching, in one transaction on the event loop) and new (`ClusterEngine`:
  columns read in chunks, the rule in a thread, then the signals): its time, and the longest
  the event loop went without a turn meanwhile (a 1 ms ticker), which is how long paging
  would have waited;
* `arrivals`: after the first check, 1 and then 100 more alerts in the window and the check
  that follows each (the signal grows to hold them): time per check and per arrival.

The old algorithm is skipped above --old-max events (at 20 000 its check takes minutes).
"Loop held" includes the garbage collector's full collections, which stop every thread of
the process: with --gc-freeze the objects made before the checks (modules, tables) are
frozen first (`gc.freeze`), so a full collection walks only what the checks made.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from app.alerts.models import Alert
from app.clock import SystemClock
from app.config import Settings
from app.db import create_engine
from app.drug_warnings.clusters import DEFAULT_RULES, AreaKind, ClusterRule, Event, detect
from app.drug_warnings.signals import repository
from app.drug_warnings.signals.engine import ClusterEngine
from app.drug_warnings.signals.models import ClusterCheck, Signal
from app.drug_warnings.signals.service import LATE_ALERTS
from app.privacy.keys import build_cipher
from bench.procstat import load_average
from bench.server import BIN, POSTGRES, ROOT, _admin
from tests import cluster_reference as reference

CODE = "3107"
CLIENT = "demo-amk"
CLOCK = SystemClock()
Sessions = async_sessionmaker[AsyncSession]


def events(count: int, now: datetime) -> list[Event]:
    start = now - timedelta(hours=5)
    step = timedelta(hours=5) / max(count, 1)
    return [Event(uuid.uuid4(), CODE, start + i * step) for i in range(count)]


def timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def bench_detect(count: int, old_max: int) -> str:
    now = CLOCK.now()
    some = events(count, now)
    [rule] = DEFAULT_RULES
    new = timed(lambda: detect(some, rule, municipality_code=CODE))
    old = "skipped"
    if count <= old_max:
        old = f"{timed(lambda: reference.detect(some, rule, municipality_code=CODE)):9.1f} ms"
    return f"detect   {count:>6} events   old {old:>12}   new {new:9.1f} ms"


def bench_radius(count: int, old_max: int) -> str:
    now = CLOCK.now()
    rng = random.Random(count)
    places = [(59.2 + rng.uniform(0, 0.027), 10.9 + rng.uniform(0, 0.052)) for _ in range(200)]
    some = [Event(e.alert_id, CODE, e.at, *rng.choice(places)) for e in events(count, now)]
    rule = ClusterRule(area=AreaKind.RADIUS, radius_km=1.0)
    new = timed(lambda: detect(some, rule, municipality_code=CODE))
    old = "skipped"
    if count <= old_max:
        old = f"{timed(lambda: reference.detect(some, rule, municipality_code=CODE)):9.1f} ms"
    return f"radius   {count:>6} events   old {old:>12}   new {new:9.1f} ms"


async def stalled(work: Awaitable[Any]) -> tuple[float, float]:
    """How long `work` took and the longest the event loop went without a turn, in ms."""
    gaps: list[float] = [0.0]
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    started = time.perf_counter()
    await work
    elapsed = time.perf_counter() - started
    done.set()
    await ticking
    return elapsed * 1000, max(gaps) * 1000


async def insert_alerts(sessions: Sessions, count: int, *, now: datetime, offset: int) -> None:
    """`count` alerts in the window, received at `now` (rows as intake writes them)."""
    table: Any = Alert.__table__  # type: ignore[attr-defined]
    start = now - timedelta(hours=5)
    rows = [
        {
            "id": uuid.uuid4(),
            "client_id": CLIENT,
            "dispatch_incident_hash": f"BENCH-{offset + i}",
            "request_fingerprint": "0" * 64,
            "municipality_code": CODE,
            "kind": "non_fatal",
            "occurred_at": start + timedelta(seconds=(offset + i) % 18_000),
            "received_at": now,
            "status": "notified",
            "consent_state": "not_asked",
            "consent_recipients": [],
            "dropped_fields": [],
            "shared_without_consent": [],
        }
        for i in range(count)
    ]
    async with sessions() as session, session.begin():
        for first in range(0, count, 2000):
            await session.execute(insert(table), rows[first : first + 2000])


async def fill_window(database_url: str, count: int, *, offset: int = 0) -> datetime:
    """`insert_alerts` into the database at `database_url` (its own engine), received now;
    that time."""
    engine = create_async_engine(database_url)
    try:
        now = CLOCK.now()
        await insert_alerts(async_sessionmaker(engine), count, now=now, offset=offset)
        return now
    finally:
        await engine.dispose()


async def old_check(sessions: Sessions, now: datetime) -> int:
    """The check as it was: ORM rows, the old rule and the old signal matching, on the loop."""
    [rule] = DEFAULT_RULES
    since = now - rule.window - LATE_ALERTS
    async with sessions() as session, session.begin():
        alerts = await repository.alerts_since(session, municipality_code=CODE, since=since)
        found = reference.detect(
            [Event(a.id, a.municipality_code, a.occurred_at) for a in alerts],
            rule,
            municipality_code=CODE,
        )
        existing = await repository.signals_since(
            session, municipality_code=CODE, since=since - rule.window
        )
        changed = reference.signals_for(found, existing, now=now)
        session.add_all(signal for signal, new in changed if new)
        await repository.record_check(session, municipality_code=CODE, at=now)
    return len(changed)


async def forget(sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        for model in (Signal, ClusterCheck, Alert):
            await session.execute(delete(model))


async def bench_checks(
    sessions: Sessions, engine: ClusterEngine, count: int, old_max: int
) -> list[str]:
    lines = []
    now = CLOCK.now()
    if count <= old_max:
        await insert_alerts(sessions, count, now=now, offset=0)
        took, stall = await stalled(old_check(sessions, now))
        lines.append(f"check    {count:>6} alerts   old {took:9.1f} ms, loop held {stall:8.1f} ms")
        await forget(sessions)
    await insert_alerts(sessions, count, now=now, offset=0)
    took, stall = await stalled(engine.run_once(now))
    lines.append(f"check    {count:>6} alerts   new {took:9.1f} ms, loop held {stall:8.1f} ms")
    offset = count
    for arrivals in (1, 100):
        now += timedelta(minutes=2)  # past the margin: only the new ones are arrivals
        await insert_alerts(sessions, arrivals, now=now, offset=offset)
        offset += arrivals
        took, stall = await stalled(engine.run_once(now))
        lines.append(
            f"arrivals {arrivals:>6} more     new {took:9.1f} ms = {took / arrivals:7.2f} ms each,"
            f" loop held {stall:6.1f} ms"
        )
    await forget(sessions)
    return lines


def prepare(database_url: str) -> None:
    """Migrate the database and add the demo municipality and client."""
    env = {**os.environ, "DATABASE_URL": database_url, "DATA_DIR": str(ROOT / "var" / "bench")}
    for command in (["migrate"], ["seed-demo"]):
        subprocess.run([BIN / "odvarsel", *command], env=env, check=True, capture_output=True)


async def run_database(database_url: str, sizes: list[int], old_max: int) -> list[str]:
    settings = Settings(database_url=database_url, data_dir=ROOT / "var" / "bench")
    db = create_engine(settings)
    sessions = async_sessionmaker(db, expire_on_commit=False)
    # calm_factor=0: every arrival is checked, so that its cost is what is measured.
    engine = ClusterEngine(sessions=sessions, cipher=build_cipher(settings), calm_factor=0)
    try:
        await forget(sessions)
        lines = []
        for count in sizes:
            lines += await bench_checks(sessions, engine, count, old_max)
        return lines
    finally:
        await db.dispose()


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--old-max", type=int, default=5000, help="largest window for the old")
    parser.add_argument("--old-max-radius", type=int, default=500)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--gc-freeze", action="store_true", help="gc.freeze() before the checks")
    return parser


def main(args: argparse.Namespace | None = None) -> list[str]:
    args = args or parser().parse_args()

    print("the rule alone, one window of N events (3 within 6 h)")
    for count in args.sizes:
        print("  " + bench_detect(count, args.old_max))
    for count in args.sizes:
        print("  " + bench_radius(count, args.old_max_radius))
    if args.gc_freeze:
        gc.collect()
        gc.freeze()
    if args.database == "sqlite":
        path = ROOT / "var" / "bench" / f"clusters-{uuid.uuid4().hex[:8]}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite+aiosqlite:///{path}"
        try:
            prepare(url)
            lines = asyncio.run(run_database(url, args.sizes, args.old_max))
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        name = f"odvarsel_bench_{uuid.uuid4().hex[:8]}"
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
        url = f"{POSTGRES}/{name}"
        try:
            prepare(url)
            lines = asyncio.run(run_database(url, args.sizes, args.old_max))
        finally:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    frozen = ", gc.freeze()" if args.gc_freeze else ""
    print(f"the check as the worker makes it, on {args.database}{frozen}")
    for line in lines:
        print("  " + line)
    return [f"cluster {line}; load {load_average()}" for line in lines]


if __name__ == "__main__":
    main()
