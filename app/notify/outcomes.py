"""What became of a message, reported to the handlers registered for its subject kind.

The dispatcher and the delivery-report webhook know no domain: they record a message's
outcome and pass it here. The escalation registers a handler for "alert" messages (a failed
SMS moves the step on), the alerts package one that marks the alert notified; the worker
(`app/worker.py`) registers them. Handlers run in the transaction that records the outcome,
each in a savepoint of its own, so a failing handler never loses the record.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db import describe_error
from app.notify.models import OutboxMessage
from app.notify.sms import DeliveryState

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A message reached `state` at `at`; the subject and context are as it was written."""

    message_id: uuid.UUID
    subject_kind: str
    subject_id: uuid.UUID
    purpose: str
    context: Mapping[str, Any]
    state: DeliveryState
    at: datetime

    @classmethod
    def of(cls, message: OutboxMessage, state: DeliveryState, at: datetime) -> Outcome:
        return cls(
            message_id=message.id,
            subject_kind=message.subject_kind,
            subject_id=message.subject_id,
            purpose=message.purpose,
            context=dict(message.context or {}),
            state=state,
            at=at,
        )


OutcomeHandler = Callable[[AsyncSession, Outcome], Awaitable[bool]]
"""Applies an outcome in the caller's transaction; True if it made work due (wake the worker)."""


class OutcomeHandlers:
    """Handlers by subject kind, called in the order they were registered."""

    def __init__(self) -> None:
        self._by_kind: dict[str, list[OutcomeHandler]] = {}

    def register(self, subject_kind: str, handler: OutcomeHandler) -> None:
        self._by_kind.setdefault(subject_kind, []).append(handler)

    async def report(self, session: AsyncSession, outcome: Outcome) -> bool:
        """Every handler of the subject kind; True if any of them made work due."""
        made_due = False
        await session.flush()  # the record's own errors are the caller's, not a handler's
        for handler in self._by_kind.get(outcome.subject_kind, ()):
            try:
                async with session.begin_nested():
                    made_due = await handler(session, outcome) or made_due
            except Exception as exc:  # the outcome itself is still recorded
                log.error(
                    "outcome handler failed",
                    extra={
                        "handler": getattr(handler, "__qualname__", repr(handler)),
                        "outbox_id": str(outcome.message_id),
                        "state": outcome.state.value,
                        **describe_error(exc),
                    },
                )
        return made_due
