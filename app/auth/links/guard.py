"""Limits on guessing link tokens, per client address.

A token carries 71 random bits, so guessing cannot succeed; the limit keeps a scanner from
burning the database. An address with `MISSES` unknown tokens within `WINDOW` gets 429 with
`Retry-After` for every link until the oldest miss leaves the window, except for a browser
that holds this link's holder cookie (set when the link was first opened with success):
the real holder behind the same carrier address is not locked out, and can always reply by
SMS instead. Counters are per process, in memory, on the service clock.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from app.auth.limits import FailureWindow

WINDOW = timedelta(minutes=10)
MISSES = 20
MAX_KEYS = 10_000


class LinkGuard:
    def __init__(self) -> None:
        self._misses = FailureWindow(max_failures=MISSES, window=WINDOW, max_keys=MAX_KEYS)

    def wait_seconds(self, address: str, *, now: datetime) -> int | None:
        """Seconds before `address` may try an unknown link again; None if it may now."""
        blocked = self._misses.blocked_for(address, now=now)
        return None if blocked is None else max(1, math.ceil(blocked.total_seconds()))

    def missed(self, address: str, *, now: datetime) -> None:
        self._misses.record_failure(address, now=now)
