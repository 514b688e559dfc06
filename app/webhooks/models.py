"""Tables of outbound webhooks: one endpoint per API client, one row per delivery.

A delivery is a row written in the transaction that causes it (an acknowledgement, an
answer) and posted after commit by the worker (`app.webhooks.engine`), so a rollback sends
nothing and a restart loses nothing. Its payload is fixed when it is written: every attempt
and every resend posts the same bytes under the same `webhook-id`. The bytes are kept sealed
(they carry the dispatch incident id, docs/rules.md "Dispatch incident id") and opened only
to be posted.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.dbtypes import EnumText, UTCDateTime


class EventType(StrEnum):
    """What a dispatch system is told; the payload's `data` says which alert and how."""

    ALERT_ACKNOWLEDGED = "alert.acknowledged"
    """Someone on duty took the alert."""
    ALERT_ANSWERED = "alert.answered"
    """The team answered the ambulance crew."""
    ALERT_SUPPLEMENTED = "alert.supplemented"
    """A supplement made a new version of the alert (and perhaps a new triage)."""


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    """Waiting for its first attempt, or for a retry at `next_attempt_at`."""
    SENDING = "sending"
    """Claimed by a worker until `lease_until`; a crashed worker's claim runs out."""
    DELIVERED = "delivered"
    """The endpoint answered 2xx."""
    FAILED = "failed"
    """Given up: too many attempts, too old, or the endpoint was deactivated."""


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoint"

    client_id: str = Field(foreign_key="api_client.id", primary_key=True, max_length=64)
    url: str = Field(max_length=500)
    secret_sealed: str = Field(
        sa_type=Text, description="The signing secret, sealed (context webhook:<client>:secret)"
    )
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        UniqueConstraint("client_id", "seq"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    client_id: str = Field(foreign_key="webhook_endpoint.client_id", max_length=64)
    seq: int = Field(
        description="Order of creation per client (the endpoint row is locked while it is "
        "drawn): deliveries of a client are posted in this order"
    )
    event_type: str = Field(max_length=50)
    subject_id: uuid.UUID | None = Field(default=None, description="The alert, if any")
    payload_sealed: str = Field(
        sa_type=Text,
        description='The Standard Webhooks body {"type", "timestamp", "data"} as the bytes '
        "posted (canonical JSON), sealed (context webhook_delivery:<id>:payload)",
    )
    status: DeliveryStatus = Field(sa_type=EnumText(DeliveryStatus, 20))
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = None
    last_error: str | None = Field(
        default=None, max_length=200, description="What went wrong; never a response body"
    )
    created_at: datetime = Field(sa_type=UTCDateTime)
    resent_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="The retry window of a resend starts here"
    )
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
