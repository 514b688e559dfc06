"""Sends claimed outbox messages through the SmsSender, outside any transaction.

A message is claimed (status sending, with a lease) in one short transaction, sent, and its
outcome recorded in another, together with what the subject's handlers make of it (the
outcomes of sends that returned together, in one; should that fail, each in its own). If the
worker dies between the two, the lease runs out and another worker sends it again: at most
the messages in flight are duplicated, none is lost.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.clock import Clock
from app.config import Settings
from app.db import describe_error
from app.notify import delivery, outbox
from app.notify.models import OutboxMessage, OutboxStatus
from app.notify.outcomes import Outcome, OutcomeHandlers
from app.notify.sms import (
    DeliveryState,
    SendResult,
    SmsError,
    SmsMessage,
    SmsPermanentError,
    SmsSender,
)

log = logging.getLogger(__name__)

STATUS_CALLBACK_PATH = "/v1/webhooks/twilio/status"
"""Delivery reports for message <id> go to this path + "/<id>"."""
MAX_BACKOFF = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=2**attempts), MAX_BACKOFF)


class Dispatcher:
    """The dispatch engine: sends due outbox messages and reports their outcomes."""

    name = "dispatch"

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        sender: SmsSender,
        clock: Clock,
        settings: Settings,
        outcomes: OutcomeHandlers,
    ) -> None:
        self._sessions = sessions
        self._sender = sender
        self._clock = clock
        self._settings = settings
        self._outcomes = outcomes
        self._callback_base = (
            settings.http.public_base_url.rstrip("/") + STATUS_CALLBACK_PATH
            if settings.sms.backend == "twilio"
            else None
        )

    def callback_url(self, message_id: uuid.UUID) -> str | None:
        """Where the provider reports on this message: our id in the path, as GoAlert does."""
        return f"{self._callback_base}/{message_id}" if self._callback_base else None

    def due(self, now: datetime) -> ColumnElement[bool]:
        return outbox.any_due(now)

    async def run_once(self, now: datetime) -> int:
        """Claim up to `send_concurrency` due messages, send them side by side; how many.

        Each outcome is committed as soon as its send returns, so a crash can repeat only the
        messages whose send had started and not yet been recorded.
        """
        lease_until = now + timedelta(seconds=self._settings.worker.send_lease_seconds)
        async with self._sessions() as session, session.begin():
            claimed = await outbox.claim_due(
                session,
                now=now,
                lease_until=lease_until,
                limit=self._settings.worker.send_concurrency,
            )
            jobs = [
                (
                    m.id,
                    SmsMessage(
                        to=m.to_number, body=m.body, status_callback=self.callback_url(m.id)
                    ),
                )
                for m in claimed
            ]
        await self._send_all(jobs)
        return len(jobs)

    async def _send_all(self, jobs: list[tuple[uuid.UUID, SmsMessage]]) -> None:
        """Send side by side; the outcomes of the sends that have returned are recorded
        together as soon as they have, in one transaction (16 sends were 16 transactions)."""
        sending = {asyncio.create_task(self._send(sms)): message_id for message_id, sms in jobs}
        while sending:
            done, _ = await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)
            await self._record_all([(sending.pop(task), task.result()) for task in done])

    async def _record_all(self, outcomes: list[tuple[uuid.UUID, SendResult | SmsError]]) -> None:
        if len(outcomes) > 1:
            try:
                async with self._sessions() as session, session.begin():
                    by_id = dict(outcomes)
                    for message in await outbox.lock_many(session, by_id):
                        await self._record(session, message, by_id[message.id])
                return
            except Exception as exc:  # one message's record must not lose the others'
                log.warning("sms outcomes recorded one by one", extra=describe_error(exc))
        for message_id, outcome in outcomes:
            await self._record_one(message_id, outcome)

    async def _record_one(self, message_id: uuid.UUID, outcome: SendResult | SmsError) -> None:
        try:
            async with self._sessions() as session, session.begin():
                message = await outbox.get(session, message_id, for_update=True)
                if message is not None:
                    await self._record(session, message, outcome)
        except Exception as exc:  # one message's record must not lose the others'
            log.error(
                "sms outcome could not be recorded; the lease will resend it",
                extra={"outbox_id": str(message_id), **describe_error(exc)},
            )

    async def _send(self, message: SmsMessage) -> SendResult | SmsError:
        try:
            return await self._sender.send(message)
        except SmsError as exc:
            return exc

    async def _record(
        self, session: AsyncSession, message: OutboxMessage, outcome: SendResult | SmsError
    ) -> None:
        now = self._clock.now()
        # A delivery report can come before the send returns: the message is final already.
        reported_first = message.status in (OutboxStatus.DELIVERED, OutboxStatus.FAILED)
        if message.status != OutboxStatus.SENDING and not (
            reported_first and message.sent_at is None
        ):
            return  # cancelled meanwhile, or recorded by another worker after a resend
        message.lease_until = None
        if isinstance(outcome, SendResult):
            message.provider_id = outcome.provider_id
            message.sent_at = now
            if not reported_first:
                delivered = outcome.state is DeliveryState.DELIVERED
                message.status = OutboxStatus.DELIVERED if delivered else OutboxStatus.SENT
                message.delivered_at = now if delivered else None
            await self._outcomes.report(session, Outcome.of(message, outcome.state, now))
            return
        if reported_first:
            return
        message.last_error = f"{type(outcome).__name__}: code {getattr(outcome, 'code', None)}"
        permanent = isinstance(outcome, SmsPermanentError)
        if not permanent and message.attempts < self._settings.worker.max_send_attempts:
            message.status = OutboxStatus.PENDING
            message.due_at = now + backoff(message.attempts)
            log.warning("sms send failed, will retry", extra={"outbox_id": str(message.id)})
            return
        message.status = OutboxStatus.FAILED
        log.warning("sms could not be sent", extra={"outbox_id": str(message.id)})
        await self._outcomes.report(session, Outcome.of(message, DeliveryState.FAILED, now))


def apply_report(
    message: OutboxMessage, *, state: DeliveryState, error: str | None, at: datetime
) -> Outcome | None:
    """Apply a provider's delivery report; the outcome to pass on, None if nothing changed.

    Forward only (`delivery.status_after_report`): a late, repeated or replayed report never
    moves a delivered, failed or cancelled message.
    """
    status = delivery.status_after_report(OutboxStatus(message.status), state)
    if status is None:
        return None
    message.status = status
    if status is OutboxStatus.DELIVERED:
        message.delivered_at = at
    else:
        message.last_error = error
    return Outcome.of(message, state, at)
