"""API models of duty rosters: rotations, shifts, overrides, imports, on duty, holes.

Instants carry a UTC offset (naive ones are refused: ambiguous around DST) and are answered
in UTC. Rotation handoffs and daily windows follow Europe/Oslo wall-clock time.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from app.api.bodies import RequestBody, with_examples
from app.instants import BoundedInstant
from app.roster.enums import MemberRole, ShiftSource
from app.strict import Integer, text_form


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# Instants are kept and answered in UTC, whatever offset they were given with.
Instant = Annotated[BoundedInstant, AfterValidator(_utc)]


# An Oslo wall-clock time without offset: JSON Schema's "time" format requires an offset, so
# the document says what is meant (RFC 3339 partial-time) instead.
WallClockTime = Annotated[
    time,
    text_form(
        r"[0-2][0-9]:[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?",
        "must be a time of day as text, such as 16:00",
        parsed=time,
    ),
    WithJsonSchema(
        {"type": "string", "format": "partial-time", "pattern": "^[0-2][0-9]:[0-5][0-9]"}
    ),
]


class _Interval(RequestBody):
    starts_at: Instant = Field(examples=["2026-12-24T08:00:00+01:00"])
    ends_at: Instant = Field(examples=["2026-12-27T08:00:00+01:00"])

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class RotationIn(RequestBody):
    model_config = with_examples(
        {
            "name": "Ukevakt",
            "member_ids": [
                "6f1c2a8e-3d4b-4c5a-9e7f-1a2b3c4d5e6f",
                "0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e",
            ],
            "anchor": "2026-11-23T08:00:00+01:00",
            "shift_days": 7,
        }
    )

    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    member_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=50, description="Active members of the team, in turn order."
    )
    anchor: Instant = Field(
        description="The first handoff: the first member's turn starts here. Later handoffs "
        "keep its Europe/Oslo wall-clock time across daylight saving changes."
    )
    shift_days: Integer = Field(default=7, ge=1, le=366, description="Days per turn.")
    window_start: WallClockTime | None = Field(
        default=None,
        description="With `window_end`: covered only between these Oslo wall-clock times "
        "each day (may cross midnight, e.g. 16:00-08:00). Omit both for around the clock.",
        examples=["16:00"],
    )
    window_end: WallClockTime | None = Field(default=None, examples=["08:00"])

    @model_validator(mode="after")
    def _window(self) -> Self:
        start, end = self.window_start, self.window_end
        if (start is None) != (end is None):
            raise ValueError("give both window_start and window_end, or neither")
        if start is not None and end is not None:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("window times are Oslo wall-clock times, without an offset")
            if start == end:
                raise ValueError("an empty window; omit the window for around the clock")
        return self


class RotationOut(BaseModel):
    id: uuid.UUID
    team_id: uuid.UUID
    name: str | None = Field(examples=["Ukevakt"])
    member_ids: list[uuid.UUID]
    anchor: Instant
    shift_days: int = Field(examples=[7])
    window_start: time | None
    window_end: time | None
    created_at: Instant


class ShiftIn(_Interval):
    member_id: uuid.UUID = Field(description="An active member of the team.")


class ShiftOut(BaseModel):
    id: uuid.UUID
    team_id: uuid.UUID
    member_id: uuid.UUID
    starts_at: Instant
    ends_at: Instant
    source: ShiftSource = Field(description="`ical` shifts are replaced by the next import.")
    created_at: Instant


class OverrideIn(_Interval):
    """Sickness, holidays, swaps. Taking someone off duty wins over anything else."""

    model_config = with_examples(
        {
            "starts_at": "2026-12-24T08:00:00+01:00",
            "ends_at": "2026-12-27T08:00:00+01:00",
            "member_id": "0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e",
            "replaces_member_id": "6f1c2a8e-3d4b-4c5a-9e7f-1a2b3c4d5e6f",
            "reason": "Bytte i julen",
        }
    )

    member_id: uuid.UUID | None = Field(
        default=None, description="Put on duty; alone, added to whoever is on duty."
    )
    replaces_member_id: uuid.UUID | None = Field(
        default=None,
        description="Replaced by `member_id` where on duty; alone, taken off duty.",
    )
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = Field(
        default=None,
        description="For colleagues; keep health details out (say 'fravær', not why).",
    )

    @model_validator(mode="after")
    def _names_a_member(self) -> Self:
        if self.member_id is None and self.replaces_member_id is None:
            raise ValueError("give member_id, replaces_member_id, or both")
        if self.member_id is not None and self.member_id == self.replaces_member_id:
            raise ValueError("member_id and replaces_member_id are the same member")
        return self


class OverrideOut(BaseModel):
    id: uuid.UUID
    team_id: uuid.UUID
    starts_at: Instant
    ends_at: Instant
    member_id: uuid.UUID | None
    replaces_member_id: uuid.UUID | None
    reason: str | None
    created_at: Instant


class ImportedShift(BaseModel):
    member_id: uuid.UUID
    member_name: str = Field(examples=["Kari Nordmann"])
    starts_at: Instant
    ends_at: Instant


class RotaImportOut(BaseModel):
    """What an import did. Events that could not be matched are listed, never dropped."""

    window_start: Instant
    window_end: Instant
    dry_run: bool
    replaced: int = Field(
        description="Earlier imported shifts in the window that this import replaced "
        "(or, in a dry run, would replace)."
    )
    shifts: list[ImportedShift]
    unmatched: list[str] = Field(
        description="Events that gave no shift, with the reason or the unknown person.",
        examples=[["Vakt at 2026-12-01 08:00 (per@example.no)"]],
    )


class MemberBrief(BaseModel):
    id: uuid.UUID
    name: str = Field(examples=["Kari Nordmann"])
    role: MemberRole
    is_health_personnel: bool


class OnDutyOut(BaseModel):
    team_id: uuid.UUID
    at: Instant
    on_duty: list[MemberBrief] = Field(description="Paged by `on_duty` escalation steps.")
    leader: MemberBrief | None
    roster_hole: bool = Field(
        description="Nobody is on duty: an alert now would page the fallback number at once "
        "and tell the leader."
    )


class Hole(BaseModel):
    starts_at: Instant
    ends_at: Instant


class RosterHolesOut(BaseModel):
    team_id: uuid.UUID
    window_start: Instant
    window_end: Instant
    holes: list[Hole] = Field(description="Maximal intervals in the window with nobody on duty.")
    stopped_sms: list[MemberBrief] = Field(
        default_factory=list,
        description="Active members who replied STOP to our SMS: Twilio texts them nothing, "
        "so their turns are holes until they reply START.",
    )
