"""Guarding the token endpoint: failed attempts are limited, and secret checks are bounded.

Every attempt costs an argon2 verification (slow on purpose). Without limits, a few clients
sending wrong secrets keep the CPU and the threadpool busy and alert intake slows down. So:

* **Failed attempts only** are counted, in windows of `WINDOW`: `CLIENT_FAILURES` per
  client id and `ADDRESS_FAILURES` per client address. Beyond that the endpoint answers 429
  with `Retry-After` before checking anything, until the window ends. An attempt counts as
  failed from the moment it is admitted and is taken back when it succeeds: counted only
  after its check, attempts already waiting for a check slot overshot the limit (16
  flooders got 24 checks against a limit of 10). Successful requests never count.
* **The holder is not locked out by others:** an address that got a token for a client id in
  the last `KNOWN_ADDRESS_TTL` is exempt from that client id's limit (its failures count
  against its own address limit only), so guessing a client's secret elsewhere does not
  block its real systems.
* **At most `CONCURRENT_SECRET_CHECKS` argon2 verifications run at once**, in worker threads
  of their own (an anyio CapacityLimiter, not the default threadpool that serves sync work),
  and never inside a database transaction.

Counters are kept in the database (`app.counters`), so every instance counts the same
attempts, in fixed windows of the service clock (tests move it). The `limits` library was not
used: its windows read the wall clock, which the tests cannot move, and its storages are
Redis or memory, not the database the instances already share.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import anyio
import anyio.to_thread

from app.counters import Counters, Limit

WINDOW = timedelta(minutes=10)
CLIENT_FAILURES = 10
ADDRESS_FAILURES = 30
KNOWN_ADDRESS_TTL = timedelta(hours=24)
# One: a flood of wrong secrets can then take at most one core from intake.
CONCURRENT_SECRET_CHECKS = 1

BY_CLIENT = Limit("token.client", CLIENT_FAILURES, WINDOW)
BY_ADDRESS = Limit("token.address", ADDRESS_FAILURES, WINDOW)
KNOWN = "token.known"


def _pair(client_id: str, address: str) -> str:
    return f"{client_id}\x00{address}"


class TokenGuard:
    """The token endpoint's limits (shared by every instance) and its bounded secret checks
    (per process)."""

    def __init__(self, counters: Counters) -> None:
        self._counters = counters
        self._checks = anyio.CapacityLimiter(CONCURRENT_SECRET_CHECKS)

    async def _limits(self, client_id: str, address: str, now: datetime) -> list[tuple[Limit, str]]:
        limits = [(BY_ADDRESS, address)]
        if not await self._counters.marked(KNOWN, _pair(client_id, address), now=now):
            limits.append((BY_CLIENT, client_id))
        return limits

    async def admit(self, *, client_id: str, address: str, now: datetime) -> int | None:
        """Seconds to wait before this attempt may be checked, or None: it is admitted, and
        counted as failed until `succeeded` takes it back."""
        return await self._counters.take(*await self._limits(client_id, address, now), now=now)

    async def succeeded(self, *, client_id: str, address: str, now: datetime) -> None:
        """The attempt admitted at `now` succeeded: it is not a failure after all, and the
        address is known for the client from now on."""
        await self._counters.give_back(*await self._limits(client_id, address, now), at=now)
        await self._counters.mark(
            KNOWN, _pair(client_id, address), until=now + KNOWN_ADDRESS_TTL, now=now
        )

    async def run_check(
        self, check: Callable[[str | None, str], bool], secret_hash: str | None, secret: str
    ) -> bool:
        """`check` (argon2) in a worker thread, at most CONCURRENT_SECRET_CHECKS at a time."""
        return await anyio.to_thread.run_sync(check, secret_hash, secret, limiter=self._checks)
