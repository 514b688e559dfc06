"""The worker: runs engines in lanes, round by round, woken at once on new work.

Each engine (`Engine`) does its work in short transactions of its own. The paging lane runs
the escalation engine (advances due escalations), then the dispatcher (sends the outbox and
reports what became of each message to the handlers registered here per subject kind).
Every other engine runs in a lane of its own beside it (`side_engines`): follow-up deadlines,
webhooks to dispatch systems, cluster checks. A lane is a loop of its own, so however long
a side engine's round takes (a slow receiver, a burst of alerts to check for clusters, a
backlog of deadlines), the paging lane keeps its own cadence; a side engine that computes
for long does it off the event loop (the cluster check, in a thread), as the loop is shared.
The follow-up lane is woken with the paging lane (what gives one work may give the other
work) and wakes it after a busy round, so its SMS go out at once. One failing engine never
stops the others; its failure is logged (type, constraint, table; never values).

It runs inside `odvarsel serve` by default and as its own process (`odvarsel worker`) in
production. On PostgreSQL it LISTENs for the NOTIFY that every state change sends on commit,
so other instances wake too; it also polls, so nothing waits on a lost notification. After
each paging round in which both its engines succeeded it records a heartbeat, which /readyz
reads: readiness is whether pages go out; a side lane's failures are in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

import asyncpg
from sqlalchemy import ColumnElement, or_
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import heartbeat
from app.alerts import outcomes as alert_outcomes
from app.clock import Clock
from app.config import Settings
from app.db import describe_error
from app.drug_warnings.signals.engine import ClusterEngine
from app.escalation.engine import outcomes as escalation_outcomes
from app.escalation.engine.messages import SUBJECT_KIND as ALERT_MESSAGES
from app.escalation.engine.runner import EscalationEngine
from app.followup.cases.engine import FollowupEngine
from app.idle_probe import Beat, probe
from app.metrics.process import record_round
from app.notify.dispatcher import Dispatcher
from app.notify.outbox import SIDE_WAKE_CHANNEL, WAKE_CHANNEL
from app.notify.outcomes import OutcomeHandlers
from app.notify.sms import SmsSender
from app.privacy.crypto import FieldCipher
from app.privacy.keys import build_cipher
from app.retention.engine import RetentionEngine
from app.statistics.engine import StatisticsEngine
from app.webhooks.addresses import AddressGuard
from app.webhooks.engine import WebhookEngine

log = logging.getLogger(__name__)

PAGING_LANE = "paging"
PROBE = "idle_probe"
"""The probe's name in the worker's round metrics, beside the engines'."""

WITH_PAGING = frozenset({FollowupEngine.name})
"""The side lanes tied to the paging lane: woken with it (a new alert or a staff action may
make their work due) and waking it after a busy round (their work is SMS)."""


SAFETY_POLLS = 60
"""A lane the idle probe watches still looks for itself every this many poll intervals, in
case a wake-up was lost (a probe that failed, a NOTIFY on a dropped connection)."""


class Engine(Protocol):
    """One kind of background work (GoAlert's engine managers).

    An engine that can say in SQL whether it has work at `now` has a method `due(now)`
    returning that boolean; its lane then sleeps until woken, and the worker's one idle
    probe per poll (app/idle_probe.py) asks every lane's question at once. An engine
    without it is run every poll interval and gates itself in memory (retention's interval,
    statistics' quiet minute).
    """

    name: str

    async def run_once(self, now: datetime) -> int:
        """Do what is due at `now` in transactions of its own; how much work there was."""
        ...


def due_question(engines: list[Engine]) -> Callable[[datetime], ColumnElement[bool]] | None:
    """Whether any of the lane's engines has work at a time, in SQL; None when one of them
    cannot say (the lane then polls)."""
    questions = [getattr(engine, "due", None) for engine in engines]
    if any(question is None for question in questions):
        return None
    return lambda now: or_(*(question(now) for question in questions))  # type: ignore[misc]


def connections_wanted(settings: Settings) -> int:
    """The pool a worker needs so that it opens no connection per alert: one per SMS sent
    side by side (each records its outcome in a transaction of its own), one per lane and
    one for the idle probe. A smaller pool closed its overflow after each burst, and the
    next burst paid for new PostgreSQL backends (0.16 a paged alert in bench.paging_cpu)."""
    lanes = 1 + 5  # the paging lane and the side lanes of `Worker`
    return settings.worker.send_concurrency + lanes + 1


def outcome_handlers() -> OutcomeHandlers:
    """Who hears what became of a message: for alert messages the escalation first (a failed
    page moves it on), then the alert (its first SMS out marks it notified)."""
    handlers = OutcomeHandlers()
    handlers.register(ALERT_MESSAGES, escalation_outcomes.on_message_outcome)
    handlers.register(ALERT_MESSAGES, alert_outcomes.on_message_outcome)
    return handlers


class Worker:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        sender: SmsSender,
        clock: Clock,
        settings: Settings,
        cipher: FieldCipher | None = None,
        webhook_addresses: AddressGuard | None = None,
    ) -> None:
        """`cipher` opens the webhooks' signing secrets and `webhook_addresses` checks where
        they may connect (each built from the settings if not given)."""
        self._sessions = sessions
        self._clock = clock
        self._settings = settings
        self.outcomes = outcome_handlers()
        cipher = cipher or build_cipher(settings)
        self.dispatcher = Dispatcher(
            sessions=sessions, sender=sender, clock=clock, settings=settings, outcomes=self.outcomes
        )
        self.engines: list[Engine] = [
            EscalationEngine(sessions=sessions, settings=settings),
            self.dispatcher,
        ]
        """The paging lane: escalations, then the SMS they and the other lanes wrote."""
        self.side_engines: list[Engine] = [
            FollowupEngine(sessions=sessions, settings=settings, cipher=cipher),
            WebhookEngine(
                sessions=sessions,
                clock=clock,
                settings=settings,
                cipher=cipher,
                addresses=webhook_addresses,
            ),
            StatisticsEngine(sessions=sessions, cipher=cipher),
            ClusterEngine(sessions=sessions, cipher=cipher),
            RetentionEngine(sessions=sessions, settings=settings, cipher=cipher),
        ]
        """Each in a lane of its own beside the paging lane (`run`): none delays an SMS, nor
        one another (a dispatch system that answers slowly delays no cluster signal)."""
        self.worker_id = f"{socket.gethostname()[:50]}-{os.getpid()}-{secrets.token_hex(4)}"
        self.last_round_at: datetime | None = None
        """When this worker last completed a round in which every engine succeeded."""
        self._beat_at: datetime | None = None
        self._paging_wake = asyncio.Event()
        self._side_wakes = [asyncio.Event() for _ in self.side_engines]
        self._stopped = asyncio.Event()
        self._paging_ok = False
        """The paging lane's last round succeeded: the idle probe may record heartbeats."""
        lanes = [(PAGING_LANE, self.engines, self._paging_wake)]
        lanes += [
            (e.name, [e], w) for e, w in zip(self.side_engines, self._side_wakes, strict=True)
        ]
        self._watched = [
            (name, wake, question)
            for name, engines, wake in lanes
            if (question := due_question(engines))
        ]
        """The lanes the idle probe watches: their name, wake-up and question."""

    def wake(self, *, side_lane: bool = False) -> None:
        """Run the paging lane now, with the follow-up lane (and every side lane, after work
        for them: a webhook)."""
        if self._settings.worker.wake_enabled:
            self._wake(side_lanes=side_lane)

    def _wake(self, *, side_lanes: bool) -> None:
        self._paging_wake.set()
        for engine, event in zip(self.side_engines, self._side_wakes, strict=True):
            if side_lanes or engine.name in WITH_PAGING:
                event.set()

    def _wake_all(self) -> None:
        self._wake(side_lanes=True)

    def stop(self) -> None:
        self._stopped.set()
        self._wake_all()

    async def run_once(self) -> int:
        """One round of every lane, side by side; the work done."""
        done = await asyncio.gather(
            self._paging_round(), *(self._side_round(engine) for engine in self.side_engines)
        )
        return sum(done)

    async def _paging_round(self) -> int:
        """The paging lane once; a round in which it all succeeded is a heartbeat."""
        done, failed = await self._round(self.engines)
        self._paging_ok = not failed
        if not failed:
            await self._completed(self._clock.now())
        return done

    async def _round(self, engines: list[Engine]) -> tuple[int, bool]:
        """Every engine once, in order: the work done, and whether one failed."""
        done, failed = 0, False
        for engine in engines:
            started = time.perf_counter()  # a duration, not a time of day: no clock seam
            this_failed = False
            try:
                done += await engine.run_once(self._clock.now())
            except Exception as exc:  # the other engines' work must still be done
                failed = this_failed = True
                log.error(
                    "engine round failed", extra={"engine": engine.name, **describe_error(exc)}
                )
            record_round(engine.name, seconds=time.perf_counter() - started, failed=this_failed)
        return done, failed

    def _beat_due(self, now: datetime) -> bool:
        """At most one heartbeat write per poll interval."""
        interval = self._settings.worker.poll_interval_seconds
        return self._beat_at is None or (now - self._beat_at).total_seconds() >= interval

    async def _completed(self, now: datetime) -> None:
        self.last_round_at = now
        if not self._beat_due(now):
            return
        try:
            async with self._sessions() as session, session.begin():
                if self._beat_at is None:
                    await heartbeat.forget_stale(session, now=now)
                await heartbeat.beat(session, worker_id=self.worker_id, at=now)
            self._beat_at = now
        except Exception as exc:
            log.error("heartbeat not recorded", extra=describe_error(exc))

    async def run_until_idle(self, *, max_rounds: int = 50) -> int:
        """Rounds until nothing is due (tests and scenario drivers)."""
        total = 0
        for _ in range(max_rounds):
            done = await self.run_once()
            total += done
            if done == 0:
                return total
        raise RuntimeError("worker did not become idle")

    async def run(self) -> None:
        """Every lane, each in a loop of its own, until `stop`."""
        listener = await self._listen()
        side = zip(self.side_engines, self._side_wakes, strict=True)
        engines = [engine.name for engine in (*self.engines, *self.side_engines)]
        log.info("worker started", extra={"worker_id": self.worker_id, "engines": engines})
        watched = {name for name, _, _ in self._watched}
        poll = self._settings.worker.poll_interval_seconds

        def idle_wait(lane: str) -> float:
            return poll * SAFETY_POLLS if lane in watched else poll

        try:
            await asyncio.gather(
                self._loop(self._paging_round, self._paging_wake, idle_wait(PAGING_LANE)),
                *(
                    self._loop(functools.partial(self._side_round, e), w, idle_wait(e.name))
                    for e, w in side
                ),
                self._probe_loop(),
            )
        finally:
            if listener is not None:
                await listener.close()
            log.info("worker stopped", extra={"worker_id": self.worker_id})

    async def _side_round(self, engine: Engine) -> int:
        """A side lane once; after a busy follow-up round the paging lane sends its SMS."""
        done = (await self._round([engine]))[0]
        if done and engine.name in WITH_PAGING:
            self._paging_wake.set()
        return done

    async def _loop(
        self, round_: Callable[[], Awaitable[int]], wake: asyncio.Event, idle_wait: float
    ) -> None:
        while not self._stopped.is_set():
            wake.clear()
            try:
                busy = await round_()
            except Exception as exc:  # keep the loop alive; the next round retries
                log.error("worker round failed", extra=describe_error(exc))
                busy = 0
                await asyncio.sleep(self._settings.worker.poll_interval_seconds)
            if busy or self._stopped.is_set():
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=idle_wait)

    async def probe_once(self) -> list[str]:
        """One idle probe: wake the watched lanes with work due (their names); record the
        heartbeat while the paging lane is sound (its idle rounds are the probe's)."""
        now = self._clock.now()
        healthy = self._paging_ok and self._beat_at is not None
        beat = Beat(self.worker_id, now) if healthy and self._beat_due(now) else None
        started, failed = time.perf_counter(), True
        questions = [question(now) for _, _, question in self._watched]
        try:
            answers = await probe(self._sessions, questions, beat=beat)
            failed = False
        finally:
            record_round(PROBE, seconds=time.perf_counter() - started, failed=failed)
        if healthy:
            self.last_round_at = now
        if beat is not None:
            self._beat_at = now
        due = [
            (name, wake) for (name, wake, _), yes in zip(self._watched, answers, strict=True) if yes
        ]
        for _, wake in due:
            wake.set()
        return [name for name, _ in due]

    async def _probe_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                await self.probe_once()
            except Exception as exc:  # the lanes' own safety polls go on meanwhile
                log.error("worker probe failed", extra=describe_error(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._stopped.wait(), timeout=self._settings.worker.poll_interval_seconds
                )

    async def _listen(self) -> Any:
        url = make_url(self._settings.database_url)
        if url.get_backend_name() != "postgresql" or not self._settings.worker.wake_enabled:
            return None
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(dsn)
        await connection.add_listener(WAKE_CHANNEL, lambda *_: self._wake(side_lanes=False))
        await connection.add_listener(SIDE_WAKE_CHANNEL, lambda *_: self._wake(side_lanes=True))
        return connection
