"""The outbox: every SMS is a row, written in the transaction that causes it, sent after commit.

A message names its subject (`subject_kind`, `subject_id`: "alert" and the alert's id) and
its `purpose`; `context` is the subject owner's own small record (the escalation keeps the
step that wrote it there). The outbox reads none of them: it sends, records what the
provider reports, and hands each outcome to the handlers registered for the subject kind
(`app.notify.outcomes`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, SQLModel

from app.dbtypes import EnumText, UTCDateTime


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
    """No longer needed (e.g. the alert was acknowledged before it was sent)."""


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_due", "status", "due_at"),
        Index("ix_outbox_message_subject", "subject_kind", "subject_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    subject_kind: str = Field(max_length=20, description='What the message is about: "alert"')
    subject_id: uuid.UUID
    purpose: str = Field(max_length=20, description="The subject owner's name for its use")
    context: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False, server_default=text("'{}'")),
        description="The subject owner's data (no personal data), returned with each outcome",
    )
    member_id: uuid.UUID | None = Field(default=None)
    to_number: str = Field(max_length=20)
    body: str = Field(max_length=320)
    status: OutboxStatus = Field(sa_type=EnumText(OutboxStatus, 20))
    due_at: datetime = Field(sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    provider_id: str | None = Field(default=None, max_length=64, unique=True)
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
