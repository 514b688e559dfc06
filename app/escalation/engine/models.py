"""Escalation state: one row per alert, with the due time of its next move.

Timers are rows: a worker claims rows whose `next_due_at` has passed and advances them, so
a restart or a second instance loses nothing and repeats nothing. `pass_index`/`step_index`
are the step paged last (meaningless while `notified_at` is None); `next_due_at` is what the
policy rules returned for the move after it. What the engine needs of the alert
(`occurred_at`) is copied here when the escalation opens, so the engine never reads alerts.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class EscalationStatus(StrEnum):
    ACTIVE = "active"
    ACKNOWLEDGED = "acknowledged"
    EXHAUSTED = "exhausted"
    """Every step and repeat ran without an acknowledgement; fallback and leader were paged."""
    LATE = "late"
    """The alert came in after the paging window: the leader was told, nobody was paged."""


class EscalationState(SQLModel, table=True):
    __tablename__ = "escalation_state"
    __table_args__ = (Index("ix_escalation_state_due", "status", "next_due_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    alert_id: uuid.UUID = Field(foreign_key="alert.id", unique=True)
    team_id: uuid.UUID = Field(foreign_key="team.id")
    occurred_at: datetime = Field(sa_type=UTCDateTime, description="The alert's, copied")
    status: str = Field(max_length=20)
    pass_index: int = 0
    step_index: int = 0
    notified_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="None until the first step is paged"
    )
    next_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reply_code: str = Field(max_length=6)
    roster_hole_reported: bool = False
    started_at: datetime = Field(sa_type=UTCDateTime)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by: uuid.UUID | None = None
