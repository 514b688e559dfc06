"""Limits on sign-in, kept where every instance sees them (`app.counters`), in fixed windows
of the service clock (tests move it).

* Asking for a link by SMS: every request counts, known number or not (so a 429 says nothing
  about who is staff), `PER_NUMBER` per mobile and `PER_ADDRESS` per client address within
  `WINDOW`. A member's phone cannot be flooded with sign-in SMS, and nobody can walk through
  numbers from one address.
* Presenting a sign-in link or an OIDC token: `MISSES` unknown links or refused tokens per
  address within `WINDOW`, as the alert links do (`app.auth.links.guard`): the tokens cannot
  be guessed, the limit keeps a scanner from burning the database and the provider's key set.

Only an HMAC of a number or address is stored (`app.counters`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.counters import Counters, Limit

WINDOW = timedelta(minutes=15)
PER_NUMBER = 3
PER_ADDRESS = 10
MISSES = 20

BY_NUMBER = Limit("signin.number", PER_NUMBER, WINDOW)
BY_ADDRESS = Limit("signin.address", PER_ADDRESS, WINDOW)
MISSED = Limit("signin.missed", MISSES, WINDOW)


class SignInGuard:
    def __init__(self, counters: Counters) -> None:
        self._counters = counters

    async def admit_sms(self, *, mobile: str, address: str, now: datetime) -> int | None:
        """Seconds to wait before asking for a link for `mobile` from `address`, or None: the
        request is admitted and counted."""
        return await self._counters.take((BY_NUMBER, mobile), (BY_ADDRESS, address), now=now)

    async def wait_after_misses(self, address: str, *, now: datetime) -> int | None:
        """Seconds before `address` may present a link or token again; None if it may now."""
        return await self._counters.blocked(MISSED, address, now=now)

    async def missed(self, address: str, *, now: datetime) -> None:
        await self._counters.add(MISSED, address, now=now)
