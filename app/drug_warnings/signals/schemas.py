"""API models of cluster signals."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from app.api.bodies import RequestBody
from app.drug_warnings.clusters import AreaKind
from app.drug_warnings.schemas import ActingStaff, Note, acting_field
from app.drug_warnings.signals.models import SignalStatus


class RuleOut(BaseModel):
    area: AreaKind
    min_count: int
    window_hours: float
    radius_km: float | None


class Centre(BaseModel):
    latitude: float
    longitude: float


class SignalOut(BaseModel):
    """A cluster of overdoses for the leader to look at. Times are to the hour, as anonymous
    alerts are shown; the alerts' details are behind `GET /v1/alerts/{alert_id}/details`
    (logged)."""

    id: uuid.UUID
    municipality: str
    status: SignalStatus
    rule: RuleOut
    centre: Centre | None = Field(
        description="For a radius or a district area: the mean of the events' coordinates, "
        "to 2 decimals (about a kilometre)."
    )
    district: str | None = Field(
        default=None,
        description="For a district area: the district the overdoses happened in, as the "
        "municipality named it in its cluster rules (each district has its own signals).",
    )
    event_count: int
    alert_ids: list[uuid.UUID]
    first_at: datetime = Field(description="The first overdose, to the hour")
    last_at: datetime = Field(description="The last overdose, to the hour")
    raised_at: datetime
    updated_at: datetime = Field(description="When an alert last joined it")
    dismissed_at: datetime | None
    dismissed_by: str | None
    dismiss_note: str | None


class DismissalIn(RequestBody):
    by: ActingStaff | None = acting_field()
    note: Note = Field(description="Why no warning is needed (3-1000 characters).")
