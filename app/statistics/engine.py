"""The statistics engine: keeps the facts fresh (the worker's side lane, `app.worker`).

Each round refreshes, in one transaction, at most `BATCH` alerts whose fact is missing, or
not frozen and of an alert received in the last `RECENT` and not refreshed for `EVERY`. The
criterion is cheap (one indexed query) and covers what changes a fact: a supplement, the
take, the follow-up's first contact and next appointment all happen within weeks of the
alert (the survivor plan's last planned contact is in week 4); an older fact changes no
more, and the retention engine refreshes and freezes each fact in the transaction that
purges its alert (`facts.refresh_facts(..., freeze=True)`), so nothing is lost when
identity goes. Two workers refreshing the same alert write the same row twice (an upsert),
and a frozen fact is never written again.

A round that found less than a full batch leaves the engine quiet for `QUIET` (the facts may
be an hour old anyway), so an idle worker does not ask the database every poll.

The work a round reports is 1 when its batch was full (more may be waiting: the lane comes
back at once), else 0: a refresh is bookkeeping, and, like the cluster engine's checks, not
work that should keep the worker from being idle.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.engine_base import CipherEngine
from app.statistics import repository
from app.statistics.facts import refresh_facts

BATCH = 200
RECENT = timedelta(days=60)
EVERY = timedelta(hours=1)
QUIET = timedelta(minutes=1)


class StatisticsEngine(CipherEngine):
    """Refreshes the anonymous facts (`app.worker.Engine`)."""

    name = "statistics"

    _quiet_until: datetime | None = None
    """Until when an idle engine does not ask the database again (this process)."""

    async def run_once(self, now: datetime) -> int:
        if self._quiet_until is not None and now < self._quiet_until:
            return 0
        async with self._sessions() as session, session.begin():
            due = await repository.alerts_to_refresh(
                session, received_since=now - RECENT, refreshed_before=now - EVERY, limit=BATCH
            )
            await refresh_facts(session, due, cipher=self._cipher, now=now)
        full = len(due) == BATCH
        self._quiet_until = None if full else now + QUIET
        return 1 if full else 0
