"""Sends claimed outbox messages through the SmsSender, outside any transaction.

A message is claimed (status sending, with a lease) in one short transaction, sent, and its
outcome recorded in another. If the worker dies between the two, the lease runs out and
another worker sends it again: at most the messages in flight are duplicated, none is lost.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.alerts import repository as alerts_repository
from app.clock import Clock
from app.config import Settings
from app.notify import outbox
from app.notify.models import OutboxMessage, OutboxStatus
from app.notify.sms import SendResult, SmsError, SmsMessage, SmsPermanentError, SmsSender

log = logging.getLogger(__name__)

STATUS_CALLBACK_PATH = "/v1/webhooks/twilio/status"
MAX_BACKOFF = timedelta(minutes=5)


@dataclass(frozen=True)
class FailedMessage:
    """A message that will not be delivered; its escalation step should move on at once."""

    alert_id: uuid.UUID
    pass_index: int
    step_index: int


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    failed: list[FailedMessage] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=2**attempts), MAX_BACKOFF)


class Dispatcher:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        sender: SmsSender,
        clock: Clock,
        settings: Settings,
    ) -> None:
        self._sessions = sessions
        self._sender = sender
        self._clock = clock
        self._settings = settings
        self._callback_url = (
            settings.http.public_base_url.rstrip("/") + STATUS_CALLBACK_PATH
            if settings.sms.backend == "twilio"
            else None
        )

    async def run_once(self) -> DispatchReport:
        """Claim up to `send_concurrency` due messages and send them side by side.

        Each outcome is committed as soon as its send returns, so a crash can repeat only the
        messages whose send had started and not yet been recorded.
        """
        now = self._clock.now()
        lease_until = now + timedelta(seconds=self._settings.worker.send_lease_seconds)
        async with self._sessions() as session, session.begin():
            claimed = await outbox.claim_due(
                session,
                now=now,
                lease_until=lease_until,
                limit=self._settings.worker.send_concurrency,
            )
            jobs = [
                (m.id, SmsMessage(to=m.to_number, body=m.body, status_callback=self._callback_url))
                for m in claimed
            ]
        report = DispatchReport(claimed=len(jobs))
        await asyncio.gather(*(self._send_and_record(i, m, report) for i, m in jobs))
        return report

    async def _send_and_record(
        self, message_id: uuid.UUID, sms: SmsMessage, report: DispatchReport
    ) -> None:
        outcome = await self._send(sms)
        async with self._sessions() as session, session.begin():
            message = await outbox.get(session, message_id)
            if message is None or message.status != OutboxStatus.SENDING:
                return  # acknowledged and cancelled meanwhile, or reclaimed elsewhere
            failed = await self._record(session, message, outcome)
        report.sent += isinstance(outcome, SendResult)
        if failed is not None:
            report.failed.append(failed)

    async def _send(self, message: SmsMessage) -> SendResult | SmsError:
        try:
            return await self._sender.send(message)
        except SmsError as exc:
            return exc

    async def _record(
        self, session: AsyncSession, message: OutboxMessage, outcome: SendResult | SmsError
    ) -> FailedMessage | None:
        now = self._clock.now()
        message.lease_until = None
        if isinstance(outcome, SendResult):
            message.provider_id = outcome.provider_id
            message.sent_at = now
            message.status = (
                OutboxStatus.DELIVERED if outcome.status == "delivered" else OutboxStatus.SENT
            )
            if message.status == OutboxStatus.DELIVERED:
                message.delivered_at = now
            if message.alert_id is not None:
                await alerts_repository.mark_notified(session, alert_id=message.alert_id, at=now)
            return None
        message.last_error = f"{type(outcome).__name__}: code {getattr(outcome, 'code', None)}"
        permanent = isinstance(outcome, SmsPermanentError)
        if not permanent and message.attempts < self._settings.worker.max_send_attempts:
            message.status = OutboxStatus.PENDING
            message.due_at = now + backoff(message.attempts)
            log.warning("sms send failed, will retry", extra={"outbox_id": str(message.id)})
            return None
        message.status = OutboxStatus.FAILED
        log.warning("sms could not be sent", extra={"outbox_id": str(message.id)})
        return failure_of(message)


def failure_of(message: OutboxMessage) -> FailedMessage | None:
    """The escalation step a failed message belongs to, if it belongs to one."""
    if message.alert_id is None or message.pass_index is None or message.step_index is None:
        return None
    return FailedMessage(
        alert_id=message.alert_id, pass_index=message.pass_index, step_index=message.step_index
    )


def mark_callback_status(
    message: OutboxMessage, *, status: str, error_code: str | None, at: datetime
) -> FailedMessage | None:
    """Apply a provider's delivery report; failed and undelivered escalate at once."""
    if status == "delivered":
        message.status = OutboxStatus.DELIVERED
        message.delivered_at = at
        return None
    if status in ("failed", "undelivered"):
        already_failed = message.status == OutboxStatus.FAILED
        message.status = OutboxStatus.FAILED
        message.last_error = f"{status}: code {error_code}"
        return None if already_failed else failure_of(message)
    return None
