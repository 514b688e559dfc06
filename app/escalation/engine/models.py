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

from sqlalchemy import Index, false
from sqlmodel import Field, SQLModel

from app.dbtypes import EnumText, UTCDateTime


class EscalationStatus(StrEnum):
    ACTIVE = "active"
    ACKNOWLEDGED = "acknowledged"
    EXHAUSTED = "exhausted"
    """Every step and repeat ran without an acknowledgement; fallback and leader were paged."""
    LATE = "late"
    """The alert came in after the paging window: the leader was told, nobody was paged."""
    LEADER_TOLD = "leader_told"
    """A fatal alert: the leader was told, the on-duty team was not paged."""
    STOPPED = "stopped"
    """A supplement said nobody is to be paged (the person objected) before anyone took it."""


class EscalationPlan(StrEnum):
    """Whom the escalation reaches, from the alert's triage."""

    PAGE = "page"
    """The policy's steps: the on-duty team, then onwards until someone takes it."""
    LEADER_ONLY = "leader_only"
    """The leader alone (a fatal alert), once."""
    LEADER_URGENT = "leader_urgent"
    """The leader alone, at once and without identity (an objected alert with suicide risk,
    docs/rules.md "Suicide risk"), once."""


class EscalationState(SQLModel, table=True):
    __tablename__ = "escalation_state"
    __table_args__ = (Index("ix_escalation_state_due", "status", "next_due_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    alert_id: uuid.UUID = Field(foreign_key="alert.id", unique=True)
    team_id: uuid.UUID = Field(foreign_key="team.id")
    occurred_at: datetime = Field(sa_type=UTCDateTime, description="The alert's, copied")
    status: EscalationStatus = Field(sa_type=EnumText(EscalationStatus, 20))
    pass_index: int = 0
    step_index: int = 0
    notified_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="None until the first step is paged"
    )
    next_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reply_code: str = Field(max_length=6)
    plan: str = Field(
        default=EscalationPlan.PAGE.value,
        max_length=20,
        sa_column_kwargs={"server_default": EscalationPlan.PAGE.value},
    )
    first_contact_ward: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": false()},
        description="The person is admitted: the page tells staff to agree with the ward first",
    )
    scheduled_for: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        description="Triage put the first page off to working hours: the paging window counts "
        "from here, not from the overdose",
    )
    roster_hole_reported: bool = False
    started_at: datetime = Field(sa_type=UTCDateTime)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by: uuid.UUID | None = None
