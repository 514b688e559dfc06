"""The worker: advances due escalations and sends the outbox, woken at once on new work.

It runs inside `odvarsel serve` by default and as its own process (`odvarsel worker`) in
production. On PostgreSQL it LISTENs for the NOTIFY that every state change sends on commit,
so other instances wake too; it also polls, so nothing waits on a lost notification.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.clock import Clock
from app.config import Settings
from app.escalation.engine import manager as escalation_engine
from app.notify.dispatcher import Dispatcher
from app.notify.outbox import WAKE_CHANNEL
from app.notify.sms import SmsSender

log = logging.getLogger(__name__)


class Worker:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        sender: SmsSender,
        clock: Clock,
        settings: Settings,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._settings = settings
        self.dispatcher = Dispatcher(
            sessions=sessions, sender=sender, clock=clock, settings=settings
        )
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        if self._settings.worker.wake_enabled:
            self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run_once(self) -> int:
        """One round: move due escalations, send due SMS, escalate failed ones; work done."""
        try:
            async with self._sessions() as session, session.begin():
                moved = await escalation_engine.advance_due(
                    session, now=self._clock.now(), settings=self._settings
                )
        except Exception as exc:  # SMS already in the outbox must still go out
            log.error("escalation round failed", extra={"error_type": type(exc).__name__})
            moved = 0
        report = await self.dispatcher.run_once()
        if report.failed:
            async with self._sessions() as session, session.begin():
                for failed in report.failed:
                    await escalation_engine.escalate_now(
                        session,
                        alert_id=failed.alert_id,
                        pass_index=failed.pass_index,
                        step_index=failed.step_index,
                        now=self._clock.now(),
                    )
        return moved + report.claimed

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
        listener = await self._listen()
        try:
            while not self._stopping:
                self._wake.clear()
                try:
                    busy = await self.run_once()
                except Exception as exc:  # keep the loop alive; the next round retries
                    log.error("worker round failed", extra={"error_type": type(exc).__name__})
                    busy = 0
                    await asyncio.sleep(self._settings.worker.poll_interval_seconds)
                if busy or self._stopping:
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._wake.wait(), timeout=self._settings.worker.poll_interval_seconds
                    )
        finally:
            if listener is not None:
                await listener.close()

    async def _listen(self) -> Any:
        url = make_url(self._settings.database_url)
        if url.get_backend_name() != "postgresql" or not self._settings.worker.wake_enabled:
            return None
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(dsn)
        await connection.add_listener(WAKE_CHANNEL, lambda *_: self._wake.set())
        return connection
