"""Guarding the token endpoint: failed attempts are limited, and secret checks are bounded.

Every attempt costs an argon2 verification (slow on purpose). Without limits, a few clients
sending wrong secrets keep the CPU and the threadpool busy and alert intake slows down. So:

* **Failed attempts only** are counted, in a sliding window of `WINDOW`: `CLIENT_FAILURES` per
  client id and `ADDRESS_FAILURES` per client address. Beyond that the endpoint answers 429
  with `Retry-After` before checking anything; the limit passes as old failures leave the
  window. An attempt counts as failed from the moment it is admitted and is taken back when
  it succeeds: counted only after its check, attempts already waiting for a check slot
  overshot the limit (16 flooders got 24 checks against a limit of 10). Successful requests
  never count.
* **The holder is not locked out by others:** an address that got a token for a client id in
  the last `KNOWN_ADDRESS_TTL` is exempt from that client id's limit (not from its own
  address limit), so guessing a client's secret elsewhere does not block its real systems.
* **At most `CONCURRENT_SECRET_CHECKS` argon2 verifications run at once**, in worker threads
  of their own (an anyio CapacityLimiter, not the default threadpool that serves sync work),
  and never inside a database transaction.

Counters are per process and in memory, kept with the service clock (tests move it), and
bounded (`MAX_KEYS`); a restart forgets them. The `limits` library was not used: its windows
read the wall clock, which the tests cannot move.
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import datetime, timedelta

import anyio
import anyio.to_thread

WINDOW = timedelta(minutes=10)
CLIENT_FAILURES = 10
ADDRESS_FAILURES = 30
KNOWN_ADDRESS_TTL = timedelta(hours=24)
# One: a flood of wrong secrets can then take at most one core from intake.
CONCURRENT_SECRET_CHECKS = 1
MAX_KEYS = 10_000


class FailureWindow:
    """Failures per key in a sliding window (pure: the caller passes the time)."""

    def __init__(self, *, max_failures: int, window: timedelta, max_keys: int) -> None:
        self.max_failures = max_failures
        self.window = window
        self.max_keys = max_keys
        self._failures: OrderedDict[str, deque[datetime]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._failures)

    def _recent(self, key: str, now: datetime) -> deque[datetime] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def blocked_for(self, key: str, *, now: datetime) -> timedelta | None:
        """How long `key` must wait before its next attempt; None if it may try now."""
        times = self._recent(key, now)
        if times is None or len(times) < self.max_failures:
            return None
        return times[-self.max_failures] + self.window - now

    def record_failure(self, key: str, *, now: datetime) -> None:
        times = self._recent(key, now)
        if times is None:
            if len(self._failures) >= self.max_keys:
                self._failures.popitem(last=False)  # the key least recently failing
            times = self._failures[key] = deque(maxlen=self.max_failures)
        times.append(now)
        self._failures.move_to_end(key)

    def withdraw(self, key: str, *, at: datetime) -> None:
        """Take back the failure recorded for `key` at `at` (the attempt succeeded)."""
        times = self._failures.get(key)
        if times is not None and at in times:
            times.remove(at)

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)


class TokenGuard:
    """The token endpoint's limits and its bounded secret checks (one per process)."""

    def __init__(self) -> None:
        self.by_client = FailureWindow(
            max_failures=CLIENT_FAILURES, window=WINDOW, max_keys=MAX_KEYS
        )
        self.by_address = FailureWindow(
            max_failures=ADDRESS_FAILURES, window=WINDOW, max_keys=MAX_KEYS
        )
        self._known: OrderedDict[tuple[str, str], datetime] = OrderedDict()
        self._checks = anyio.CapacityLimiter(CONCURRENT_SECRET_CHECKS)

    def admit(self, *, client_id: str, address: str, now: datetime) -> int | None:
        """Seconds to wait before this attempt may be checked, or None: it is admitted, and
        counted as failed until `succeeded` takes it back."""
        waits = [self.by_address.blocked_for(address, now=now)]
        if not self._is_known(client_id, address, now):
            waits.append(self.by_client.blocked_for(client_id, now=now))
        longest = max((w for w in waits if w is not None), default=None)
        if longest is not None:
            return max(1, math.ceil(longest.total_seconds()))
        self.by_client.record_failure(client_id, now=now)
        self.by_address.record_failure(address, now=now)
        return None

    def succeeded(self, *, client_id: str, address: str, now: datetime) -> None:
        """The attempt admitted at `now` succeeded: it is not a failure after all."""
        self.by_client.withdraw(client_id, at=now)
        self.by_address.withdraw(address, at=now)
        key = (client_id, address)
        self._known[key] = now
        self._known.move_to_end(key)
        if len(self._known) > MAX_KEYS:
            self._known.popitem(last=False)

    def _is_known(self, client_id: str, address: str, now: datetime) -> bool:
        seen = self._known.get((client_id, address))
        return seen is not None and now - seen < KNOWN_ADDRESS_TTL

    async def run_check(
        self, check: Callable[[str | None, str], bool], secret_hash: str | None, secret: str
    ) -> bool:
        """`check` (argon2) in a worker thread, at most CONCURRENT_SECRET_CHECKS at a time."""
        return await anyio.to_thread.run_sync(check, secret_hash, secret, limiter=self._checks)
