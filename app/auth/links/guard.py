"""Limits on guessing link tokens, per client address.

A token carries 71 random bits, so guessing cannot succeed; the limit keeps a scanner from
burning the database. An address with `MISSES` unknown tokens within a window of `WINDOW`
gets 429 with `Retry-After` for every link until the window ends, except for a browser
that holds this link's holder cookie (set when the link was first opened with success):
the real holder behind the same carrier address is not locked out, and can always reply by
SMS instead. Counters are where every instance sees them (`app.counters`), on the service
clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.counters import Counters, Limit

WINDOW = timedelta(minutes=10)
MISSES = 20

MISSED = Limit("link.missed", MISSES, WINDOW)


@dataclass(frozen=True)
class LinkGuard:
    counters: Counters

    async def wait_seconds(
        self, address: str, *, now: datetime, session: AsyncSession
    ) -> int | None:
        """Seconds before `address` may try an unknown link again; None if it may now (read
        in the page's transaction, `session`)."""
        return await self.counters.blocked(MISSED, address, now=now, session=session)

    async def missed(self, address: str, *, now: datetime) -> None:
        await self.counters.add(MISSED, address, now=now)
