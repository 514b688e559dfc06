"""The states of an alert in the service (the overdose's own vocabulary: app.overdose.enums)."""

from __future__ import annotations

from enum import StrEnum


class AlertStatus(StrEnum):
    RECEIVED = "received"
    NOTIFIED = "notified"
    ACKNOWLEDGED = "acknowledged"


class AckVia(StrEnum):
    """How an alert was taken."""

    LINK = "link"
    SMS = "sms"
