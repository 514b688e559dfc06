"""The console sender, `make run`'s default: prints each SMS and keeps it, sends nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from app.clock import Clock
from app.notify.sms import DeliveryState, SendResult, SmsMessage


@dataclass(frozen=True, slots=True)
class SentSms:
    """One SMS the console sender "sent"."""

    provider_id: str
    to: str
    body: str
    status_callback: str | None
    sent_at: datetime
    state: DeliveryState = DeliveryState.DELIVERED


class ConsoleSender:
    """Prints "[SMS to +4791234567] <body>" to stdout and appends to `outbox`.

    Bodies go to stdout on purpose: this is the development sender, never production.
    Provider ids are random ("CONSOLE-<uuid>"): the outbox keeps them unique across every
    process and restart that ever used the database, so a counter would collide.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.outbox: list[SentSms] = []

    async def send(self, message: SmsMessage) -> SendResult:
        sent = SentSms(
            provider_id=f"CONSOLE-{uuid.uuid4().hex}",
            to=message.to,
            body=message.body,
            status_callback=message.status_callback,
            sent_at=self._clock.now(),
        )
        self.outbox.append(sent)
        print(f"[SMS to {sent.to}] {sent.body}", flush=True)
        return SendResult(provider_id=sent.provider_id, state=sent.state)

    async def aclose(self) -> None:
        """Nothing to release."""
