"""Alert-to-first-SMS latency: from the 201 of POST /v1/alerts to the fake Twilio receiving the
first SMS of that alert, on PostgreSQL, with the real service process and its worker.

    .venv/bin/python -m bench.alert_to_sms                    # 2 processes: 1, 20, 100/s
    .venv/bin/python -m bench.alert_to_sms --window 100000    # then 20/s beside a full window
    .venv/bin/python -m bench.alert_to_sms --compare-polling  # and again with 5 s polling

Setup: --service-workers uvicorn processes (2), each with its worker, woken at once
(LISTEN/NOTIFY); with --compare-polling also the wake-up disabled and a 5 s poll (GoAlert's
engine cycle). Phases: one alert at a time, then each of --rates for --rate-seconds; with
--window N, N alerts are put in the demo municipality's cluster window and alerts are posted
at --window-rate while the workers check the window (the check must not hold paging up).
Both clocks are time.perf_counter (CLOCK_MONOTONIC, shared by processes on Linux). Five
warm-up alerts go first and are not counted. An SMS is matched to its alert by its link: the
token's hash is looked up in `recipient_link` (outside the measured time).

The fake Twilio posts no status callbacks unless --status-callbacks is given: signing and
posting three callbacks per SMS saturates a core at 20-50 SMS/s, and the load phase would
measure the fake instead of the service.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import time
from dataclasses import dataclass

import aiohttp
import asyncpg

from bench.cluster_check import fill_window
from bench.fake_twilio_process import FakeTwilioProcess, fake_twilio
from bench.intake import alert_body
from bench.procstat import load_average
from bench.server import percentile, service, token
from devtools.loopback import free_port

WARM_UP = 5


@dataclass
class Sample:
    alert_key: str
    created_perf: float


async def _post(http: aiohttp.ClientSession, auth: str) -> Sample:
    body = alert_body("SMS")
    async with http.post(
        "/v1/alerts", json=body, headers={"Authorization": f"Bearer {auth}"}
    ) as response:
        data = await response.json()
        done = time.perf_counter()
        if response.status != 201:
            raise RuntimeError(f"alert refused: {response.status}")
    return Sample(alert_key=str(data["id"]), created_perf=done)


loads: dict[str, str] = {}
"""The load average when each phase ended."""

_ALERT_OF_LINK: dict[str, str] = {}
"""Token hash -> alert id, filled as links are seen (links are stored only hashed)."""


def _first_sms_by_token(fake: FakeTwilioProcess) -> dict[str, float]:
    first: dict[str, float] = {}
    for message in fake.messages():
        marker = message["body"].rsplit("/a/", 1)
        if len(marker) == 2:
            key = marker[1][:12]
            first[key] = min(first.get(key, float("inf")), float(message["received_perf"]))
    return first


async def _first_sms(fake: FakeTwilioProcess, db: asyncpg.Pool) -> dict[str, float]:
    """The first SMS of each alert seen so far: alert id -> when the fake received it."""
    by_token = await asyncio.to_thread(_first_sms_by_token, fake)
    hashes = {hashlib.sha256(link.encode()).hexdigest(): link for link in by_token}
    unknown = [h for h in hashes if h not in _ALERT_OF_LINK]
    if unknown:
        rows = await db.fetch(
            "SELECT token_hash, alert_id FROM recipient_link WHERE token_hash = ANY($1)", unknown
        )
        _ALERT_OF_LINK.update({row["token_hash"]: str(row["alert_id"]) for row in rows})
    first: dict[str, float] = {}
    for token_hash, link in hashes.items():
        alert = _ALERT_OF_LINK.get(token_hash)
        if alert is not None:
            first[alert] = min(first.get(alert, float("inf")), by_token[link])
    return first


async def _wait_for(
    fake: FakeTwilioProcess, db: asyncpg.Pool, samples: list[Sample], within: float
) -> dict[str, float]:
    deadline = time.perf_counter() + within
    while True:
        first = await _first_sms(fake, db)
        if all(s.alert_key in first for s in samples) or time.perf_counter() > deadline:
            return first
        await asyncio.sleep(0.05)


def _latencies(samples: list[Sample], first: dict[str, float]) -> tuple[list[float], int]:
    values = sorted(
        (first[s.alert_key] - s.created_perf) * 1000 for s in samples if s.alert_key in first
    )
    return values, len(samples) - len(values)


def _line(name: str, values: list[float], missing: int) -> str:
    return (
        f"  {name:<24} n={len(values):<4} missing={missing:<3} p50 {percentile(values, 50):8.1f} ms"
        f"   p95 {percentile(values, 95):8.1f} ms   p99 {percentile(values, 99):8.1f} ms"
    )


async def _at_rate(http: aiohttp.ClientSession, auth: str, rate: float, total: int) -> list[Sample]:
    start = time.perf_counter()
    tasks = []
    for i in range(total):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_post(http, auth)))
    return list(await asyncio.gather(*tasks))


async def measure(
    base_url: str, database_url: str, fake: FakeTwilioProcess, args: argparse.Namespace
) -> dict[str, list[float]]:
    auth = await asyncio.to_thread(token, base_url)
    results: dict[str, list[float]] = {}
    dsn = database_url.replace("postgresql+asyncpg", "postgresql")
    async with (
        aiohttp.ClientSession(base_url=base_url) as http,
        asyncpg.create_pool(dsn, min_size=1, max_size=4) as db,
    ):
        for _ in range(WARM_UP):  # first statements compile and prepare: not steady state
            await _wait_for(fake, db, [await _post(http, auth)], within=30)
        sequential: list[Sample] = []
        for _ in range(args.sequential):
            sample = await _post(http, auth)
            sequential.append(sample)
            await _wait_for(fake, db, [sample], within=30)
        values, missing = _latencies(sequential, await _wait_for(fake, db, sequential, 30))
        print(_line("one at a time", values, missing), flush=True)
        results["sequential"] = values
        loads["sequential"] = load_average()

        phases = [(f"{rate:g}/s", rate) for rate in args.rates]
        if args.window:
            phases.append((f"{args.window_rate:g}/s, {args.window} in window", args.window_rate))
        for name, rate in phases:
            if args.window and name.endswith("in window"):
                await fill_window(database_url, args.window)
                await asyncio.sleep(args.window_settle)
            total = max(int(rate * args.rate_seconds), 20)
            loaded = await _at_rate(http, auth, rate, total)
            values, missing = _latencies(loaded, await _wait_for(fake, db, loaded, 120))
            print(_line(name, values, missing), flush=True)
            results[name] = values
            loads[name] = load_average()
    return results


def run_setup(
    name: str, *, wake: bool, poll: float, args: argparse.Namespace
) -> dict[str, list[float]]:
    port = free_port()
    with fake_twilio(status_callbacks=args.status_callbacks) as fake:
        env = {
            **fake.sms_env(f"http://127.0.0.1:{port}"),
            "WORKER__WAKE_ENABLED": "true" if wake else "false",
            "WORKER__POLL_INTERVAL_SECONDS": str(poll),
        }
        with service(extra_env=env, port=port, workers=args.service_workers) as running:
            print(f"{name}")
            return asyncio.run(measure(running.base_url, running.database_url, fake, args))


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sequential", type=int, default=100)
    parser.add_argument("--rates", type=float, nargs="*", default=[1, 20, 100])
    parser.add_argument("--rate-seconds", type=float, default=10, help="per rate (>= 20 alerts)")
    parser.add_argument(
        "--window", type=int, default=0, help="then this many alerts in the cluster window"
    )
    parser.add_argument("--window-rate", type=float, default=20)
    parser.add_argument("--window-settle", type=float, default=2.0)
    parser.add_argument("--poll-sequential", type=int, default=20, help="alerts, polling setup")
    parser.add_argument(
        "--compare-polling", action="store_true", help="also without the wake-up, 5 s polling"
    )
    parser.add_argument(
        "--status-callbacks",
        action="store_true",
        help="let the fake post delivery reports to the service (costly for the fake)",
    )
    parser.add_argument(
        "--service-workers", type=int, default=2, help="uvicorn processes, each with a worker"
    )
    return parser


def main(args: argparse.Namespace | None = None) -> list[str]:
    args = args or parser().parse_args()
    woken = run_setup(
        f"PostgreSQL, {args.service_workers} processes, each with its worker, woken at once",
        wake=True,
        poll=1.0,
        args=args,
    )
    lines = [
        f"{_line(f'alert -> SMS {phase}', values, 0).strip()}; load {loads[phase]}"
        for phase, values in woken.items()
    ]
    if args.compare_polling:
        polling_args = argparse.Namespace(
            **{**vars(args), "sequential": args.poll_sequential, "window": 0}
        )
        polled = run_setup(
            "PostgreSQL, no wake-up, 5 s polling", wake=False, poll=5.0, args=polling_args
        )
        for phase, slow in polled.items():
            fast = woken.get(phase, [])
            if fast and slow:
                ratio = percentile(slow, 99) / max(percentile(fast, 99), 1e-9)
                print(f"p99 {phase}: polling / wake-up = {ratio:.0f}x")
    return lines


if __name__ == "__main__":
    main()
