"""Limits on sign-in, per process and in memory, on the service clock (tests move it).

* Asking for a link by SMS: every request counts, known number or not (so a 429 says nothing
  about who is staff), `PER_NUMBER` per mobile and `PER_ADDRESS` per client address within
  `WINDOW`. A member's phone cannot be flooded with sign-in SMS, and nobody can walk through
  numbers from one address.
* Presenting a sign-in link or an OIDC token: `MISSES` unknown links or refused tokens per
  address within `WINDOW`, as the alert links do (`app.auth.links.guard`): the tokens cannot
  be guessed, the limit keeps a scanner from burning the database and the provider's key set.

Counters are `app.auth.limits.FailureWindow`s, bounded by `MAX_KEYS`; a restart forgets them.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from app.auth.limits import FailureWindow

WINDOW = timedelta(minutes=15)
PER_NUMBER = 3
PER_ADDRESS = 10
MISSES = 20
MAX_KEYS = 10_000


def _seconds(wait: timedelta | None) -> int | None:
    return None if wait is None else max(1, math.ceil(wait.total_seconds()))


class SignInGuard:
    def __init__(self) -> None:
        self._numbers = FailureWindow(max_failures=PER_NUMBER, window=WINDOW, max_keys=MAX_KEYS)
        self._addresses = FailureWindow(max_failures=PER_ADDRESS, window=WINDOW, max_keys=MAX_KEYS)
        self._misses = FailureWindow(max_failures=MISSES, window=WINDOW, max_keys=MAX_KEYS)

    def admit_sms(self, *, mobile: str, address: str, now: datetime) -> int | None:
        """Seconds to wait before asking for a link for `mobile` from `address`, or None: the
        request is admitted and counted."""
        waits = [
            self._numbers.blocked_for(mobile, now=now),
            self._addresses.blocked_for(address, now=now),
        ]
        longest = max((w for w in waits if w is not None), default=None)
        if longest is not None:
            return _seconds(longest)
        self._numbers.record_failure(mobile, now=now)
        self._addresses.record_failure(address, now=now)
        return None

    def wait_after_misses(self, address: str, *, now: datetime) -> int | None:
        """Seconds before `address` may present a link or token again; None if it may now."""
        return _seconds(self._misses.blocked_for(address, now=now))

    def missed(self, address: str, *, now: datetime) -> None:
        self._misses.record_failure(address, now=now)
