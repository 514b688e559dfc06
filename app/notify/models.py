"""The outbox: every SMS is a row, written in the transaction that causes it, sent after commit."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class OutboxStatus(StrEnum):
    PENDING = "pending"
    """Waiting to be sent (first time, or again after a temporary error)."""
    SENDING = "sending"
    """Claimed by a worker until `lease_until`; a crashed worker's claim expires."""
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    """Not delivered (provider callback failed/undelivered, or a permanent send error)."""
    CANCELLED = "cancelled"
    """No longer needed: the alert was acknowledged before it was sent."""


class MessagePurpose(StrEnum):
    ALERT = "alert"
    REMINDER = "reminder"
    FALLBACK = "fallback"
    ROSTER_HOLE = "roster_hole"
    EXHAUSTED = "exhausted"


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "due_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    alert_id: uuid.UUID | None = Field(default=None, foreign_key="alert.id", index=True)
    member_id: uuid.UUID | None = Field(default=None)
    to_number: str = Field(max_length=20)
    body: str = Field(max_length=320)
    purpose: str = Field(max_length=20)
    pass_index: int | None = None
    step_index: int | None = None
    status: str = Field(max_length=20)
    due_at: datetime = Field(sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    provider_id: str | None = Field(default=None, max_length=64, unique=True)
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
