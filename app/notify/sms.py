"""The SMS seam: one protocol every sender implements, the two ways a send can fail, and the
delivery states every provider's words are mapped to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class DeliveryState(StrEnum):
    """Where a message is, in no provider's words (each sender and webhook maps its own)."""

    ACCEPTED = "accepted"
    """The provider took it and will send it (Twilio: accepted, queued, sending)."""
    SENT = "sent"
    """Handed to the carrier; no delivery report yet."""
    DELIVERED = "delivered"
    """The handset has it."""
    FAILED = "failed"
    """It will not arrive (Twilio: failed, undelivered)."""


@dataclass(frozen=True, slots=True)
class SmsMessage:
    """One SMS to one number (E.164); `status_callback` is where delivery reports go (a URL
    naming our own message id, so a report is matched even before the provider's id is stored)."""

    to: str
    body: str
    status_callback: str | None = None


@dataclass(frozen=True, slots=True)
class SendResult:
    """What the provider said on acceptance: its id for the message and the first state."""

    provider_id: str
    state: DeliveryState


class SmsError(Exception):
    """Base of the errors a sender raises; the message never contains the SMS body."""


class SmsTemporaryError(SmsError):
    """Network error, timeout, 429 or 5xx: may succeed later, so retry with backoff."""

    def __init__(
        self, message: str = "", *, status: int | None = None, code: int | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class SmsPermanentError(SmsError):
    """Invalid number, not a mobile, unsubscribed, bad credentials, other 4xx: never retry.

    `code` is the provider's error code (Twilio's 21211, 21614, 21610, ...) when it gave one.
    """

    def __init__(self, code: int | None, message: str = "", *, status: int | None = None) -> None:
        super().__init__(message or f"SMS rejected permanently (code {code})")
        self.code = code
        self.status = status


class SmsSender(Protocol):
    """Sends one SMS; raises SmsTemporaryError or SmsPermanentError when it cannot."""

    async def send(self, message: SmsMessage) -> SendResult: ...

    async def aclose(self) -> None: ...
