"""Tables: cases, their steps (with the deadlines the engine acts on) and each case's
history.

A case copies its steps from the template when it opens, so a template changed later never
changes an open case. A case keeps only booleans about the person (`conditions`), never the
alert's values; a step's note is kept sealed (`notes`). Timers are rows:
`followup_step.next_due_at` is when the engine next has something to tell (a reminder, an
overdue notice); None when nothing is left to tell.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Column,
    Index,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlmodel import Field, SQLModel

from app.dbtypes import EnumText, UTCDateTime
from app.followup.state import CaseState, StepState
from app.followup.template_schema import OwnerRole, StepKind, TemplateKind

SUBJECT_KIND = "case"
"""The outbox subject kind of follow-up messages; the subject id is the case's id."""


class CaseEventKind(StrEnum):
    OPENED = "opened"
    SERIOUS_CRISIS = "serious_crisis"
    """Repeated overdoses: the case was marked and its steps added (`outcome`: the count)."""
    DONE = "done"
    NOT_REACHED = "not_reached"
    NOT_APPLICABLE = "not_applicable"
    REOPENED = "reopened"
    ASSIGNED = "assigned"
    """A step's owner (or companion, `outcome` says which) changed."""
    REASSIGNED = "reassigned"
    """The case's owner changed, and the steps that were theirs."""
    DEADLINE_SET = "deadline_set"
    """A step's deadline followed the completion of the step it follows (its `after`)."""
    REMINDED = "reminded"
    OVERDUE_TOLD = "overdue_told"
    CLOSED = "closed"
    CLOSED_EARLY = "closed_early"


class FollowupCase(SQLModel, table=True):
    __tablename__ = "followup_case"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    alert_id: uuid.UUID = Field(foreign_key="alert.id", unique=True)
    municipality_code: str = Field(foreign_key="municipality.code", max_length=4, index=True)
    team_id: uuid.UUID | None = Field(default=None, foreign_key="team.id")
    kind: TemplateKind = Field(sa_type=EnumText(TemplateKind, 20))
    state: CaseState = Field(sa_type=EnumText(CaseState, 20), index=True)
    template_name: str = Field(max_length=120)
    template_source: str = Field(max_length=20, description="`default` or `municipality`")
    owner_member_id: uuid.UUID | None = Field(
        default=None, foreign_key="member.id", description="Who is responsible for the case"
    )
    alert_at: datetime = Field(sa_type=UTCDateTime, description="The overdose, copied")
    opened_at: datetime = Field(sa_type=UTCDateTime)
    conditions: dict[str, bool] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False),
        description="Which conditions held when the case opened (booleans only)",
    )
    serious_crisis: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": false()},
        description="Repeated overdoses: marked when the case opened (app.followup.repeated)",
    )
    repeated_overdoses: int = Field(
        default=0,
        sa_column_kwargs={"server_default": text("0")},
        description="With `serious_crisis`: the person's non-fatal overdoses within the window, "
        "this one included; otherwise 0",
    )
    anonymous: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": false()},
        description="The anonymous fatal case of an objected alert: no identity, only the "
        "steps that need none (app.followup.anonymous)",
    )
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by: str | None = Field(default=None, max_length=210)
    close_reason: str | None = Field(default=None, max_length=500)
    retention_flagged_at: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        description="Still open at the age its identity would be purged: the leader was told "
        "then, once (app.retention)",
    )


class FollowupStep(SQLModel, table=True):
    __tablename__ = "followup_step"
    __table_args__ = (
        UniqueConstraint("case_id", "key"),
        Index("ix_followup_step_due", "next_due_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="followup_case.id", index=True)
    position: int
    key: str = Field(max_length=40)
    title: str = Field(max_length=120)
    guidance: str | None = Field(default=None, max_length=500)
    kind: StepKind = Field(sa_type=EnumText(StepKind, 20))
    required: bool
    condition: str | None = Field(default=None, max_length=40)
    owner_role: OwnerRole = Field(sa_type=EnumText(OwnerRole, 10))
    owner_member_id: uuid.UUID | None = Field(default=None, foreign_key="member.id")
    companion_role: str | None = Field(default=None, max_length=10)
    companion_member_id: uuid.UUID | None = Field(default=None, foreign_key="member.id")
    not_reached_resolves: bool
    retry_hours: float
    remind_before_hours: float
    state: StepState = Field(sa_type=EnumText(StepState, 20))
    active: bool = Field(description="A deadline runs: the step is not resolved")
    deadline: datetime = Field(sa_type=UTCDateTime, description="The current (or last) deadline")
    due_at_once: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": false()},
        description="The template's deadline fell before the first responsible person was "
        'told, so the step was due at once from then (docs/rules.md, "Step deadlines"); '
        "false once a new deadline is set",
    )
    after_step: str | None = Field(
        default=None,
        max_length=40,
        description="The step whose completion sets this one's deadline (the template's "
        '`after`; docs/rules.md, "Documentation as it happens")',
    )
    after_same_working_day: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": false()},
        description="With `after_step`: due by the end of the working day it was done on",
    )
    after_hours: float | None = Field(
        default=None, description="With `after_step`: due this many hours after it was done"
    )
    asks: str | None = Field(
        default=None, max_length=40, description="`serious_event.Question`, from the template"
    )
    answer: str | None = Field(
        default=None, max_length=10, description="`serious_event.Answer`, recorded with done"
    )
    helsetilsynet_notified: bool | None = Field(
        default=None, description="With the answer `yes`: whether Helsetilsynet was notified"
    )
    remind_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    overdue_told_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = Field(default=0, description="How many times `not_reached` was recorded")
    outcome: str | None = Field(default=None, max_length=200)
    note_sealed: str | None = Field(
        default=None, sa_type=Text, description="The note, sealed (`app.followup.cases.notes`)"
    )
    recorded_by: str | None = Field(default=None, max_length=210)
    recorded_by_member_id: uuid.UUID | None = None
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FollowupEvent(SQLModel, table=True):
    """What happened to a case, in order: each record is kept, none is overwritten."""

    __tablename__ = "followup_event"
    __table_args__ = (Index("ix_followup_event_case", "case_id", "seq"),)

    seq: int | None = Field(default=None, primary_key=True, description="Insertion order")
    case_id: uuid.UUID = Field(foreign_key="followup_case.id")
    at: datetime = Field(sa_type=UTCDateTime)
    kind: CaseEventKind = Field(sa_type=EnumText(CaseEventKind, 30))
    step_key: str | None = Field(default=None, max_length=40)
    by: str | None = Field(default=None, max_length=210)
    outcome: str | None = Field(default=None, max_length=500)
    note_sealed: str | None = Field(
        default=None, sa_type=Text, description="The note, sealed (`app.followup.cases.notes`)"
    )
    deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    member_id: uuid.UUID | None = Field(
        default=None, description="Assignments: the member assigned (None: nobody)"
    )
