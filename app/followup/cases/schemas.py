"""API models of follow-up cases. No personal data of the person: steps,
deadlines, who on the staff does what, and short texts checked for national ids, phone numbers
and the person's name. A note's text is in an answer only for a reader with details access
(`app.followup.cases.access`); others see `has_note`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.api.bodies import RequestBody, with_examples
from app.followup.cases.models import CaseEventKind
from app.followup.serious_event import Answer, Question
from app.followup.state import CaseState, StepAction, StepState
from app.followup.template_schema import (
    OwnerRole,
    StepKind,
    TemplateKind,
)
from app.instants import BoundedInstant
from app.strict import Boolean

MAX_NOTE = 500
MAX_OUTCOME = 200

Outcome = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_OUTCOME)
]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NOTE)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]

CASE_ID_EXAMPLE = "5d1c2a8e-3f47-4c1b-9a0e-7f6b2d9c8e41"
ALERT_ID_EXAMPLE = "0b9f6a52-8a3c-4a7e-9d51-2f0c2b4e7d10"
MEMBER_ID_EXAMPLE = "3f2b8c1d-6e5a-4b7c-9d8e-1a2b3c4d5e6f"

_NOTE_SHOWN = (
    "The note, for a reader with details access: the case system, or the staff member with a "
    "work need (the leader, those assigned to the case or one of its steps, those paged for "
    "its alert). None without a note, and for other staff: see `has_note`."
)
_HAS_NOTE = "A note was recorded (whether or not its text is shown to this reader)"


class MemberRef(BaseModel):
    """A staff member (staff data, not the person's)."""

    id: uuid.UUID = Field(examples=[MEMBER_ID_EXAMPLE])
    name: str = Field(examples=["Kari Solberg"])
    role: str = Field(examples=["sykepleier"])


class StepOut(BaseModel):
    key: str = Field(examples=["reach"])
    title: str = Field(examples=["Første kontakt med personen"])
    guidance: str | None
    kind: StepKind
    required: bool
    condition: str | None = Field(description="The condition it applies under, if any")
    owner_role: OwnerRole
    owner: MemberRef | None = Field(description="None: not assigned yet (the leader assigns)")
    companion_role: OwnerRole | None
    companion: MemberRef | None
    state: StepState
    active: bool = Field(description="Not resolved: its deadline runs")
    deadline: datetime = Field(description="The current deadline (the last one, if resolved)")
    due_at_once: bool = Field(
        description="Why the deadline is sooner than the template says: its time had passed "
        "when the first responsible person was told of the alert (a fatal alert of the night "
        "is told in the morning), so the step is due at once from then. False once a new "
        "deadline is set (a next attempt, a reopened step)."
    )
    remind_at: datetime | None
    overdue: bool = Field(description="Active and past its deadline")
    attempts: int = Field(description="Times recorded as not reached")
    outcome: str | None
    note: str | None = Field(description=_NOTE_SHOWN)
    has_note: bool = Field(description=_HAS_NOTE)
    recorded_by: str | None = Field(examples=["Kari Solberg (sykepleier)"])
    recorded_at: datetime | None
    asks: Question | None = Field(description="What recording it done asks (`answer`)")
    answer: Answer | None = Field(description="The answer recorded with done")
    duty: str | None = Field(
        description="The duty the answer gives: with `yes` to `service_related_death`, to "
        "notify Helsetilsynet at once (spesialisthelsetjenesteloven § 3-3 a / helse- og "
        "omsorgstjenesteloven § 12-3 a)"
    )
    helsetilsynet_notified: bool | None = Field(
        description="With the duty: whether Helsetilsynet was notified, as recorded"
    )


class CaseEventOut(BaseModel):
    at: datetime
    kind: CaseEventKind
    step_key: str | None
    by: str | None
    outcome: str | None
    note: str | None = Field(description=_NOTE_SHOWN)
    has_note: bool = Field(description=_HAS_NOTE)
    deadline: datetime | None
    member_id: uuid.UUID | None


class CaseSummary(BaseModel):
    id: uuid.UUID = Field(examples=[CASE_ID_EXAMPLE])
    alert_id: uuid.UUID = Field(examples=[ALERT_ID_EXAMPLE])
    municipality: str = Field(examples=["3107"])
    kind: TemplateKind
    state: CaseState
    template_name: str
    owner: MemberRef | None
    alert_at: datetime = Field(description="When the overdose happened; deadlines count from it")
    opened_at: datetime
    serious_crisis: bool = Field(
        description="Repeated overdoses of the same person (by the keyed hash of the national "
        "id, in any municipality) within the window: concern report, urgent meeting and a "
        "chapter 10 consideration were added"
    )
    repeated_overdoses: int = Field(
        description="With `serious_crisis`: non-fatal overdoses within the window, this one "
        "included; otherwise 0"
    )
    anonymous: bool = Field(
        default=False,
        description="The anonymous fatal case of an objected alert: no identity is kept, only "
        "the steps that need none (the leader's review, the serious-event report, outreach to "
        "peers); its times are to the hour",
    )
    next_deadline: datetime | None = Field(description="The earliest deadline of active steps")
    active_steps: int
    overdue_steps: int


class CaseOut(CaseSummary):
    """A case with its steps (in the template's order) and its history."""

    closed_at: datetime | None
    closed_by: str | None
    close_reason: str | None
    steps: list[StepOut]
    events: list[CaseEventOut]


class StepRecordIn(RequestBody):
    """What became of a step."""

    model_config = with_examples(
        {
            "action": "not_reached",
            "outcome": "Ingen svar på telefon, oppsøkt på Stasjonen",
            "next_attempt_at": "2026-11-24T09:00:00+01:00",
            "by_member_id": MEMBER_ID_EXAMPLE,
        },
        {"action": "done", "outcome": "Samtale gjennomført", "by_member_id": None},
    )

    action: StepAction = Field(
        description="`done`, `not_reached` (the step stays active with a next attempt, "
        "unless the template says a failed attempt resolves it), `not_applicable` (give the "
        "reason as `outcome`), or `reopen` (a resolved step becomes open again)."
    )
    outcome: Outcome | None = Field(
        default=None, description="Short; no national id, phone number or the person's name"
    )
    note: Note | None = Field(
        default=None,
        description="At most 500 characters; no national id, phone number or the person's "
        "name. Kept sealed; shown only to readers with details access.",
    )
    next_attempt_at: BoundedInstant | None = Field(
        default=None,
        description="`not_reached` and `reopen`: the new deadline (default: the step's retry "
        "hours from now); at most 30 days ahead.",
    )
    by_member_id: uuid.UUID | None = Field(
        default=None, description="The team member who did it; none: the case system itself"
    )
    answer: Answer | None = Field(
        default=None,
        description="`done` of a step that asks (`asks`; the fatal template's "
        "`serious_event_report`): may the death follow from the service (LAR, staffed "
        "housing)? `yes`, `no` or `unknown`. Required there, refused elsewhere.",
    )
    helsetilsynet_notified: Boolean | None = Field(
        default=None,
        description="With `answer: yes`: whether Helsetilsynet was notified at once "
        "(required then, refused otherwise).",
    )


class StepAssignIn(RequestBody):
    """A new owner and/or companion for one step; `null` leaves it unassigned."""

    model_config = with_examples({"companion_member_id": MEMBER_ID_EXAMPLE})

    owner_member_id: uuid.UUID | None = Field(default=None, description="Left out: unchanged")
    companion_member_id: uuid.UUID | None = Field(default=None, description="Left out: unchanged")
    by_member_id: uuid.UUID | None = None


class CaseReassignIn(RequestBody):
    """Holidays, sickness: the case, and every unresolved step that was the old owner's (as
    owner or companion), go to `owner_member_id`."""

    model_config = with_examples({"owner_member_id": MEMBER_ID_EXAMPLE})

    owner_member_id: uuid.UUID
    by_member_id: uuid.UUID | None = None


class CaseCloseIn(RequestBody):
    """The leader closes the case before every required step is resolved."""

    model_config = with_examples({"reason": "Personen har flyttet til en annen kommune; overført."})

    reason: Reason = Field(
        description="Why, 3-500 characters; no national id, phone number or the person's name"
    )
    by_member_id: uuid.UUID | None = None
