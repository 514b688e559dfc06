"""Builds the configured SmsSender."""

from __future__ import annotations

import httpx

from app.clock import Clock
from app.config import Settings
from app.notify.console_sender import ConsoleSender
from app.notify.sms import SmsSender
from app.notify.twilio_sender import TwilioSender


def build_sender(settings: Settings, *, http: httpx.AsyncClient, clock: Clock) -> SmsSender:
    if settings.sms.backend == "twilio":
        return TwilioSender(settings.sms, http)
    return ConsoleSender(clock)
