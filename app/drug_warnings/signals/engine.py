"""The cluster engine: the worker checks for clusters where alerts arrived (side lane).

The alert domain cannot call `signals.check_clusters` itself (drug_warnings imports alerts;
the other way round would be a package cycle), so the worker does, each round:

1. One read transaction: for each municipality odvarsel serves, one query for the alerts
   received (`alert.received_at`) or supplemented (`alert_version.at`) since its last check
   less `MARGIN`. A municipality with nothing new costs that query and no more.
2. For each that had, the check (`signals`): its inputs read in one transaction, the
   clusters computed in a thread, outside any transaction (a burst of alerts in one window
   costs a pass over them, and even a long computation holds neither the event loop, on
   which the paging lane runs, nor, on SQLite, the database), then the signals raised or
   grown and the check time recorded (`cluster_check`) in a transaction of their own. A
   municipality whose check fails is logged and tried again after `RETRY_AFTER`; it never
   stops the others.

`MARGIN`: an alert's `received_at` is set before its transaction commits, so an alert may
become visible after a check that started later than its `received_at`; looking back a
minute finds it (one that commits later still is seen at the municipality's next check, as
`check_clusters` looks back a day and more). The engine remembers which arrivals (alert and
version) its last check of a municipality had seen, so the arrivals inside the margin are
computed once, not each round until the margin has passed; an arrival it has not seen (one
that committed late) is checked at once. The memory is this process's: another worker, or
this one after a restart, checks them once more, which is harmless (a check is idempotent).
The work a round reports is the signals it raised or grew, not the checks it made.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, true
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import describe_error
from app.drug_warnings.signals import repository
from app.drug_warnings.signals import service as signals
from app.engine_base import CipherEngine
from app.privacy.crypto import FieldCipher

log = logging.getLogger(__name__)

Arrivals = frozenset[tuple[uuid.UUID, int]]
"""Alerts received (version 1) or supplemented (their version): (alert id, version)."""

MARGIN = timedelta(minutes=1)
"""How far before a municipality's last check the next one looks for alerts."""
RETRY_AFTER = timedelta(minutes=1)
"""How long a municipality whose check failed waits before it is tried again."""
SLOW_CHECK_SECONDS = 1.0
CALM_FACTOR = 100
"""A check that took longer than SLOW_CHECK_SECONDS makes the municipality's next one wait
CALM_FACTOR times as long: such checks then take at most 1 % of the worker, whose event loop
and interpreter lock they share with paging. A check of a huge window (100 000 alerts: 1-2.5
s, the loop held up to 0.25 s; bench.cluster_check) ran again at every arrival, and pages
waited seconds behind it (bench.alert_to_sms --window); now such a window's signals are up to
a few minutes late, which a signal spanning hours allows. A window of 10 000 alerts checks in
0.1-0.2 s and is not held back; a test's check, however loaded the machine, is far below."""


class ClusterEngine(CipherEngine):
    """Raises and grows cluster signals (`app.worker.Engine`), in the worker's side lane."""

    name = "clusters"

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        cipher: FieldCipher,
        calm_factor: float = CALM_FACTOR,
    ) -> None:
        """`cipher` opens the alerts' coordinates for a radius or a district rule;
        `calm_factor` 0 checks at every arrival however long it takes (benchmarks)."""
        super().__init__(sessions=sessions, cipher=cipher)
        self._calm_factor = calm_factor
        self._not_before: dict[str, datetime] = {}
        """Municipalities whose check failed or was slow, and when they are checked again
        (this process)."""
        self._newest: repository.Newest | None = None
        """The newest arrival the last look saw (`due`)."""
        self._seen: dict[str, Arrivals] = {}
        """The arrivals each municipality's last check here had seen."""

    def due(self, now: datetime) -> ColumnElement[bool]:
        """Whether an alert was received or supplemented later than the newest this engine
        saw when it last looked: the worker's idle probe asks it instead of the engine
        looking every poll (a look costs one query per municipality). What the question
        cannot see, an alert that committed after a newer one or an objected one (kept to the
        hour), the lane's own look every `app.worker.SAFETY_POLLS` polls finds, within
        `MARGIN`."""
        if self._newest is None:
            return true()
        return repository.any_after(self._newest)

    async def run_once(self, now: datetime) -> int:
        """Check each municipality with new alerts; how many signals were raised or grown."""
        changed = 0
        for code, arrived in await self._due(now):
            started = time.perf_counter()  # a duration, not a time of day: no clock seam
            try:
                changed += await self._check(code, now)
                self._seen[code] = arrived
            except Exception as exc:  # one municipality must not stop the others' signals
                self._not_before[code] = now + RETRY_AFTER
                log.error(
                    "cluster check failed; retrying later",
                    extra={"municipality": code, **describe_error(exc)},
                )
            else:
                self._calm(code, now, took=time.perf_counter() - started)
        return changed

    def _calm(self, code: str, now: datetime, *, took: float) -> None:
        if took <= SLOW_CHECK_SECONDS or not self._calm_factor:
            self._not_before.pop(code, None)
            return
        wait = timedelta(seconds=took * self._calm_factor)
        self._not_before[code] = now + wait
        log.info(
            "slow cluster check; the next waits",
            extra={"municipality": code, "seconds": round(took, 2), "wait": str(wait)},
        )

    async def _due(self, now: datetime) -> list[tuple[str, Arrivals]]:
        """The municipalities with arrivals since their last check (less the margin) that
        their last check here had not seen, and those arrivals."""
        due = []
        async with self._sessions() as session, session.begin():
            check_times, self._newest = await repository.check_times(session)
            for code, checked_at in check_times.items():
                if now < self._not_before.get(code, now):
                    continue
                since = None if checked_at is None else checked_at - MARGIN
                arrived = await repository.alerts_arrived(
                    session, municipality_code=code, since=since
                )
                if arrived - self._seen.get(code, frozenset()):
                    due.append((code, arrived))
        return due

    async def _check(self, code: str, now: datetime) -> int:
        async with self._sessions() as session, session.begin():
            inputs = await signals.read_inputs(session, municipality_code=code, now=now)
        clusters = []
        if inputs is not None:
            clusters = await asyncio.to_thread(signals.find_clusters, inputs, self._cipher)
        async with self._sessions() as session, session.begin():
            found = []
            if inputs is not None:
                found = await signals.record_clusters(
                    session, inputs, clusters, now=now, in_thread=True
                )
            await repository.record_check(session, municipality_code=code, at=now)
            changed = [(s.id, s.event_count) for s in found]
        for signal_id, event_count in changed:
            log.info(
                "cluster signal raised or grown",
                extra={"municipality": code, "signal_id": str(signal_id), "events": event_count},
            )
        return len(changed)
