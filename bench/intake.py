"""Alert intake benchmark: POST /v1/alerts at a fixed rate and flat out, on PostgreSQL.

    .venv/bin/python -m bench.intake                      # starts the service itself
    .venv/bin/python -m bench.intake --compare-workers 1 2  # more setups in one run
    .venv/bin/python -m bench.intake --paging off           # intake alone, no worker
    .venv/bin/python -m bench.intake --url http://127.0.0.1:8000 --client demo-amk:SECRET

Prints throughput and p50/p95/p99 latency for each phase. Every alert gets a unique
dispatch incident id, so each request is a real insert, and `occurred_at` = the time it is
sent: the service refuses one a year old and pages the leader instead of the person on duty
for one older than 24 h, so a fixed time would measure the wrong path and later fail.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from dataclasses import dataclass, field

import aiohttp

from app.clock import SystemClock
from bench.server import DEMO_CLIENT, percentile, service, token

_CLOCK = SystemClock()

# Without occurred_at and dispatch_incident_id: alert_body adds them, new for each alert.
BODY_TEMPLATE: dict[str, object] = {
    "municipality": "3107",
    "kind": "non_fatal",
    "place": {"description": "Utenfor Fredrikstad stasjon", "type": "public_place"},
    "person": {"national_id": "01010750160", "name": "Bench Person", "phone": "+4791234567"},
    "clinical": {"substances": ["opioid"], "naloxone_given": True, "outcome": "transported"},
    "consent": {"state": "not_asked"},
}


def alert_body(incident_prefix: str) -> dict[str, object]:
    """A new alert that happened just now, with a dispatch incident id of its own."""
    return {
        **BODY_TEMPLATE,
        "occurred_at": _CLOCK.now().isoformat(),
        "dispatch_incident_id": f"{incident_prefix}-{uuid.uuid4().hex}",
    }


@dataclass
class PhaseResult:
    name: str
    sent: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    sent_at: list[float] = field(default_factory=list)  # perf_counter, in latencies' order

    def line(self) -> str:
        lat = sorted(self.latencies_ms)
        return (
            f"{self.name:<28} {self.sent:>6} req {self.errors:>4} err "
            f"{self.sent / self.seconds:>8.0f} req/s   p50 {percentile(lat, 50):6.1f} ms   "
            f"p95 {percentile(lat, 95):6.1f} ms   p99 {percentile(lat, 99):6.1f} ms"
        )


async def _post(http: aiohttp.ClientSession, headers: dict[str, str], result: PhaseResult) -> None:
    body = alert_body("BENCH")
    started = time.perf_counter()
    try:
        async with http.post("/v1/alerts", json=body, headers=headers) as response:
            await response.read()
            ok = response.status == 201
    except aiohttp.ClientError:
        ok = False
    result.latencies_ms.append((time.perf_counter() - started) * 1000)
    result.sent_at.append(started)
    result.sent += 1
    result.errors += 0 if ok else 1


def client_session(base_url: str, *, connections: int) -> aiohttp.ClientSession:
    # aiohttp rather than httpx: the load generator shares the two cores with the server,
    # and httpx spends about 1 ms of CPU per request.
    return aiohttp.ClientSession(
        base_url=base_url,
        connector=aiohttp.TCPConnector(limit=connections),
        timeout=aiohttp.ClientTimeout(total=30),
    )


async def fixed_rate(base_url: str, auth: str, *, rate: int, seconds: float) -> PhaseResult:
    result = PhaseResult(f"fixed {rate}/s", 0, 0, seconds, [])
    headers = {"Authorization": f"Bearer {auth}"}
    async with client_session(base_url, connections=200) as http:
        tasks: list[asyncio.Task[None]] = []
        start = time.perf_counter()
        for i in range(int(rate * seconds)):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_post(http, headers, result)))
        await asyncio.gather(*tasks)
        result.seconds = time.perf_counter() - start
    return result


async def flat_out(base_url: str, auth: str, *, total: int, concurrency: int) -> PhaseResult:
    result = PhaseResult(f"flat out (c={concurrency})", 0, 0, 0, [])
    headers = {"Authorization": f"Bearer {auth}"}
    remaining = iter(range(total))

    async def worker(http: aiohttp.ClientSession) -> None:
        for _ in remaining:
            await _post(http, headers, result)

    async with client_session(base_url, connections=concurrency) as http:
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))  # warm connections
        result.latencies_ms.clear()
        result.sent_at.clear()
        result.sent = result.errors = 0
        remaining = iter(range(total))
        start = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
        result.seconds = time.perf_counter() - start
    return result


async def run_phases(base_url: str, auth: str, args: argparse.Namespace) -> list[PhaseResult]:
    await flat_out(base_url, auth, total=200, concurrency=10)  # warm-up, not reported
    return [
        await fixed_rate(base_url, auth, rate=args.rate, seconds=args.seconds),
        await flat_out(base_url, auth, total=args.total, concurrency=args.concurrency),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running service; default: start one on PostgreSQL")
    parser.add_argument("--client", default=":".join(DEMO_CLIENT), help="client_id:secret")
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--total", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--compare-workers", type=int, nargs="+", default=[1], metavar="N")
    parser.add_argument(
        "--paging",
        choices=["off", "in-app"],
        nargs="+",
        default=["off", "in-app"],
        help="off: intake alone (no worker); in-app: the worker pages each alert in the same "
        "process, competing for the CPU",
    )
    args = parser.parse_args()

    if args.url:
        client_id, _, secret = args.client.partition(":")
        results = asyncio.run(run_phases(args.url, token(args.url, (client_id, secret)), args))
        print(f"service at {args.url}")
        for r in results:
            print("  " + r.line())
        return
    for paging in args.paging:
        for workers in args.compare_workers:
            env = {"WORKER__RUN_IN_APP": "true" if paging == "in-app" else "false"}
            with service(workers=workers, extra_env=env) as running:
                results = asyncio.run(run_phases(running.base_url, token(running.base_url), args))
            print(f"PostgreSQL, uvicorn workers={workers}, paging {paging}")
            for r in results:
                print("  " + r.line())


if __name__ == "__main__":
    main()
