"""API models the alert API answers with: the status a dispatcher sees, what a supplement did,
and the leader's list. None holds personal data (that is :mod:`app.alerts.details`)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from app.alerts.enums import AlertStatus
from app.api.bodies import with_examples
from app.consent.enums import ConsentState, DataCategory
from app.errors import FieldProblem
from app.overdose.enums import AlertKind
from app.timeline.schemas import CrewAnswer, StaffRef, TimelineEntry
from app.triage.rules import TriageAction


class TriageOut(BaseModel):
    """What the service decided to do with the alert, and when whoever is told is told."""

    action: TriageAction = Field(
        description="`page_now`: the on-duty team is paged at once. `working_hours`: paged "
        "within the team's working hours, else at the start of the next working day. "
        "`no_page`: nobody is paged (an objection: counted, seen by the leader). `fatal`: "
        "the leader is told, not the on-duty person: at once in the daytime on any day, at "
        "night in the morning (08:00 by default; the municipality's triage table says)."
    )
    page_at: datetime | None = Field(
        default=None, description="When the first SMS goes out; null when nobody is paged."
    )
    first_contact_ward: bool = Field(
        default=False, description="Staff agree with the ward or hospital first."
    )
    reason: str = Field(
        description="Why: `objected`, `fatal`, `rule N` of the municipality's table, or `default`.",
        examples=["rule 1"],
    )


class AlertOut(BaseModel):
    """The state of an alert as its sender sees it: no personal data."""

    id: UUID
    dispatch_incident_id: str | None = Field(
        description="The dispatch system's incident id; null when the person objected: an "
        "objected alert keeps it only as a keyed hash (the answer to the POST and to a retry "
        "still names it)."
    )
    municipality: str
    kind: AlertKind
    status: AlertStatus = Field(description="received -> notified -> acknowledged")
    consent_state: ConsentState
    received_at: datetime
    notified_at: datetime | None = None
    acknowledged_at: datetime | None = None
    dropped_fields: list[FieldProblem] = Field(
        default_factory=list,
        description="Optional fields that were not stored, and why. The alert itself went through.",
    )
    version: int = Field(
        default=1, description="1 for the alert as first sent, +1 for each supplement"
    )
    triage: TriageOut | None = Field(
        default=None, description="What was decided: page now, in working hours, or nobody"
    )
    acknowledged_by: StaffRef | None = Field(
        default=None, description="Who took the alert (staff name, role and team)"
    )
    answer: CrewAnswer | None = Field(
        default=None, description="The latest answer to the crew from whoever took the alert"
    )
    next_step_due_at: datetime | None = Field(
        default=None,
        description="When the next escalation step pages someone, if nobody takes it before",
    )
    timeline: list[TimelineEntry] = Field(
        default_factory=list,
        description="What happened, in order: received, triaged, paged (roles and step), "
        "acknowledged, answered, supplemented. No personal data.",
    )

    model_config = with_examples(
        {
            "id": "0b9f6a52-8a3c-4a7e-9d51-2f0c2b4e7d10",
            "dispatch_incident_id": "AMK-OST-2026-004711",
            "municipality": "3107",
            "kind": "non_fatal",
            "status": "received",
            "consent_state": "not_asked",
            "received_at": "2026-11-22T22:41:03Z",
            "notified_at": None,
            "acknowledged_at": None,
            "dropped_fields": [
                {"field": "person.national_id", "reason": "second check digit is wrong"}
            ],
            "version": 1,
            "triage": {
                "action": "page_now",
                "page_at": "2026-11-22T22:41:03Z",
                "first_contact_ward": False,
                "reason": "default",
            },
            "acknowledged_by": None,
            "answer": None,
            "next_step_due_at": "2026-11-22T22:46:03Z",
            "timeline": [
                {"at": "2026-11-22T22:41:03Z", "kind": "received"},
                {
                    "at": "2026-11-22T22:41:03Z",
                    "kind": "triaged",
                    "action": "page_now",
                    "page_at": "2026-11-22T22:41:03Z",
                    "reason": "default",
                },
                {
                    "at": "2026-11-22T22:41:04Z",
                    "kind": "paged",
                    "step": 1,
                    "round": 1,
                    "roles": ["sykepleier"],
                },
            ],
        }
    )


class SupplementOut(BaseModel):
    """The alert after a supplement, and what the supplement did."""

    alert: AlertOut
    version: int = Field(description="The version this supplement made (2 for the first)")
    changed: list[str] = Field(description="The fields it set (paths), `kind`, `consent`")
    purged: list[DataCategory] = Field(
        description="Categories of data deleted at once because the new consent lets nobody "
        "see them any longer (from the alert and its history)"
    )
    dropped_fields: list[FieldProblem] = Field(
        default_factory=list,
        description="Fields of the supplement that were not stored, and why",
    )


class AlertSummary(BaseModel):
    """An alert in the leader's list: what happened and what was decided, no personal data.
    An anonymous alert's times are rounded to the hour."""

    id: UUID
    municipality: str
    kind: AlertKind
    status: AlertStatus
    consent_state: ConsentState
    occurred_at: datetime
    received_at: datetime
    version: int
    triage: TriageOut | None = None
