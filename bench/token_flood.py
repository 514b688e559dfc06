"""Alert intake while clients flood POST /v1/oauth/token with wrong secrets (issue #7).

    .venv/bin/python -m bench.token_flood                        # quiet vs. 16 flooding tasks
    .venv/bin/python -m bench.token_flood --flood-ids random       # a new client id each time
    .venv/bin/python -m bench.token_flood --flood-ids demo random --flood-addresses same random
    .venv/bin/python -m bench.token_flood --seconds 3              # a short trial

For each setup a fresh service on a fresh PostgreSQL database (bench.server), so every flood
starts with empty failure counters. In it, after a warm-up: alerts at a fixed rate (--rate for
--seconds, as bench.intake does) while nothing else happens ("quiet"), then the same while
--flooders tasks post wrong secrets to the token endpoint as fast as they get answers
("flood"). Printed: intake throughput and p50/p95/p99 for both, the flood phase's intake
p50 second by second (the checks before the limit bites come first), and the flood's
requests/s, how many got 401 (the secret was checked: one argon2 verification) or 429
(refused by the limiter before any check), and when the first 429 came.

--flood-ids: `demo` sends client_id demo-amk, `random` a fresh client id per request.
The service refuses failed attempts per client id (10 in 10 min) and per address (30
in 10 min). All requests come from 127.0.0.1, which also got demo-amk's token (and is then
exempt from demo-amk's limit), so in both variants the address limit stops the flood after
30 failures and the rest is 429. A failure is counted when its check ends, so attempts
admitted before then and still waiting for a check are checked too: up to --flooders - 1
more than the limit.

--flood-addresses random sends a random X-Forwarded-For per request, as a flood from many
addresses would look through a proxy (uvicorn trusts the header from 127.0.0.1 unless
FORWARDED_ALLOW_IPS says otherwise). With `demo` ids the client-id limit still applies;
with `random` ids no limit does, every request is an argon2 check, and only the bound on
concurrent checks protects intake.

The flood runs in a process of its own, so its event loop does not delay the timing of the
intake requests; all three processes (service, flood, intake) share the machine's cores.
The limiter is per service process: with --workers N each process keeps its own counts.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import multiprocessing.queues
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from multiprocessing.synchronize import Event

import aiohttp

from bench.intake import PhaseResult, client_session, fixed_rate, flat_out
from bench.server import DEMO_CLIENT, percentile, service, token

WRONG_SECRET = "not-the-secret-of-this-client"


@dataclass
class FloodResult:
    seconds: float
    statuses: Counter[str]
    first_429_s: float | None  # after the flood began

    def line(self) -> str:
        sent = sum(self.statuses.values())
        counts = "  ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
        first = "never" if self.first_429_s is None else f"after {self.first_429_s:.1f} s"
        return (
            f"{'token flood':<28} {sent:>6} req in {self.seconds:.1f} s "
            f"{sent / self.seconds:>8.0f} req/s   {counts}   first 429 {first}"
        )


def by_second(result: PhaseResult) -> str:
    """Intake p50 for each second of the phase, by the time a request was sent."""
    if not result.sent_at:
        return ""
    start = min(result.sent_at)
    seconds: dict[int, list[float]] = {}
    for sent, latency in zip(result.sent_at, result.latencies_ms, strict=True):
        seconds.setdefault(int(sent - start), []).append(latency)
    p50s = " ".join(f"{percentile(sorted(v), 50):.0f}" for _, v in sorted(seconds.items()))
    return f"{'  p50 by second (ms)':<28} {p50s}"


def _random_address() -> str:
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


async def _flood(
    base_url: str, args: argparse.Namespace, started: Event, stop: Event
) -> FloodResult:
    statuses: Counter[str] = Counter()
    stopping = asyncio.Event()
    first_429: float | None = None

    async def flooder(http: aiohttp.ClientSession) -> None:
        nonlocal first_429
        while not stopping.is_set():
            client_id = f"flood-{uuid.uuid4().hex[:12]}" if args.ids == "random" else DEMO_CLIENT[0]
            form = {
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": WRONG_SECRET,
            }
            headers = {"X-Forwarded-For": _random_address()} if args.addresses == "random" else {}
            try:
                async with http.post("/v1/oauth/token", data=form, headers=headers) as response:
                    await response.read()
                    statuses[str(response.status)] += 1
                    if response.status == 429 and first_429 is None:
                        first_429 = time.perf_counter() - start
            except aiohttp.ClientError:
                statuses["error"] += 1

    async with client_session(base_url, connections=args.flooders) as http:
        start = time.perf_counter()
        tasks = [asyncio.create_task(flooder(http)) for _ in range(args.flooders)]
        started.set()
        await asyncio.to_thread(stop.wait)
        stopping.set()
        seconds = time.perf_counter() - start
        await asyncio.gather(*tasks)  # answers still on their way are counted, not timed
    return FloodResult(seconds=seconds, statuses=statuses, first_429_s=first_429)


def _flood_process(
    base_url: str,
    args: argparse.Namespace,
    started: Event,
    stop: Event,
    results: multiprocessing.queues.Queue[FloodResult],
) -> None:
    results.put(asyncio.run(_flood(base_url, args, started, stop)))


def under_flood(
    base_url: str, auth: str, args: argparse.Namespace
) -> tuple[PhaseResult, FloodResult]:
    """The fixed-rate intake phase, run while a flood process posts wrong secrets."""
    context = multiprocessing.get_context("spawn")
    started, stop = context.Event(), context.Event()
    results: multiprocessing.queues.Queue[FloodResult] = context.Queue()
    process = context.Process(target=_flood_process, args=(base_url, args, started, stop, results))
    process.start()
    try:
        if not started.wait(timeout=30):
            raise RuntimeError("the flood process did not start")
        intake = asyncio.run(fixed_rate(base_url, auth, rate=args.rate, seconds=args.seconds))
        stop.set()
        flood = results.get(timeout=60)
    finally:
        stop.set()
        process.join(timeout=60)
        if process.is_alive():
            process.kill()
    intake.name = f"flood, fixed {args.rate}/s"
    return intake, flood


def run_setup(base_url: str, args: argparse.Namespace) -> None:
    auth = token(base_url)
    asyncio.run(flat_out(base_url, auth, total=200, concurrency=10))  # warm-up, not reported
    quiet = asyncio.run(fixed_rate(base_url, auth, rate=args.rate, seconds=args.seconds))
    quiet.name = f"quiet, fixed {args.rate}/s"
    print("  " + quiet.line(), flush=True)
    intake, flood = under_flood(base_url, auth, args)
    print("  " + intake.line())
    print("  " + by_second(intake))
    print("  " + flood.line(), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flooders", type=int, default=16, help="concurrent flooding tasks")
    parser.add_argument("--rate", type=int, default=50, help="alerts per second")
    parser.add_argument("--seconds", type=float, default=10, help="length of each phase")
    parser.add_argument(
        "--flood-ids",
        choices=["demo", "random"],
        nargs="+",
        default=["demo"],
        help="demo: client_id demo-amk; random: a fresh client id per request",
    )
    parser.add_argument(
        "--flood-addresses",
        choices=["same", "random"],
        nargs="+",
        default=["same"],
        help="same: all from 127.0.0.1; random: a random X-Forwarded-For per request",
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes")
    parser.add_argument(
        "--paging",
        choices=["off", "in-app"],
        default="off",
        help="off: intake alone (no worker); in-app: the worker pages each alert in-process",
    )
    args = parser.parse_args()

    env = {"WORKER__RUN_IN_APP": "true" if args.paging == "in-app" else "false"}
    for ids in args.flood_ids:
        for addresses in args.flood_addresses:
            setup = argparse.Namespace(**vars(args), ids=ids, addresses=addresses)
            with service(workers=args.workers, extra_env=env) as running:
                print(
                    f"PostgreSQL, uvicorn workers={args.workers}, paging {args.paging}; "
                    f"flood: {args.flooders} tasks, client ids {ids}, addresses {addresses}",
                    flush=True,
                )
                run_setup(running.base_url, setup)


if __name__ == "__main__":
    main()
