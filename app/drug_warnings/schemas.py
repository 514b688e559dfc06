"""API models of concern reports, cluster signals, drug warnings and the admin documents.

Free text is refused (422 naming the field) when it holds what looks like a national id or
a phone number (`app.privacy.free_text.personal_data_in`); a warning's text is also checked
against the names in the alerts of its cluster, by the service, which can open them.
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from app.drug_warnings.clusters import (
    MAX_BOUNDARY_POINTS,
    MIN_BOUNDARY_POINTS,
    AreaKind,
    boundary_problem,
)
from app.drug_warnings.models import SignalStatus, WarningStatus
from app.input_guard import refuse_control_characters
from app.instants import BoundedInstant
from app.norway.types import MobileStr
from app.overdose.enums import Substance
from app.privacy.free_text import personal_data_in
from app.strict import Integer, Number

MAX_WARNING_TEXT = 300
MAX_VALID_DAYS = 90
DEFAULT_VALID_DAYS = 14
MAX_DISTRICT_NAME = 60
MAX_DISTRICTS = 50


def _no_personal_numbers(text: str) -> str:
    reasons = personal_data_in(text)
    if reasons:
        raise ValueError("; ".join(reasons) + ": personal data does not belong here")
    return text


def _no_control_characters(text: str) -> str:
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise ValueError("contains a control character (such as a tab or a line break)")
    return text


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _text(min_length: int, max_length: int) -> object:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


# `refuse_control_characters`: the API's input guard refuses them before a model sees them,
# but the staff pages post forms the guard leaves to the page (a NUL would not even store).
ShortText = Annotated[
    str,
    _text(1, 100),
    AfterValidator(refuse_control_characters),
    AfterValidator(_no_personal_numbers),
]
Note = Annotated[
    str,
    _text(3, 1000),
    AfterValidator(refuse_control_characters),
    AfterValidator(_no_personal_numbers),
]
Description = Annotated[
    str,
    _text(3, 1000),
    AfterValidator(refuse_control_characters),
    AfterValidator(_no_personal_numbers),
]
WarningText = Annotated[
    str,
    _text(3, MAX_WARNING_TEXT),
    AfterValidator(refuse_control_characters),
    AfterValidator(_one_line),
    AfterValidator(_no_personal_numbers),
]
MunicipalityCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]
DistrictName = Annotated[str, _text(1, MAX_DISTRICT_NAME), AfterValidator(_no_control_characters)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
ValidDays = Annotated[Integer, Field(ge=1, le=MAX_VALID_DAYS)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


class ReporterKind(StrEnum):
    """Who filed a concern report."""

    POLICE = "police"
    INJECTION_ROOM = "injection_room"
    """Sprøyterommet / the supervised consumption room."""
    FELTPLEIEN = "feltpleien"
    USER_ORGANISATION = "user_organisation"
    """A user organisation (brukerorganisasjon), e.g. RIO, proLAR, Foreningen for human
    narkotikapolitikk."""
    LOW_THRESHOLD_SERVICE = "low_threshold_service"
    HOUSING_STAFF = "housing_staff"
    MUNICIPAL_STAFF = "municipal_staff"
    """The overdose team or other municipal staff."""
    OTHER = "other"


class ActingStaff(_In):
    """Who acts: sent by a case system for the person it acts for; a signed-in staff member's
    own name and role (from the session) otherwise."""

    name: ShortText = Field(examples=["Kari Solberg"])
    role: ShortText = Field(examples=["leder, Ressursteam overdose"])

    def label(self) -> str:
        return f"{self.name} ({self.role})"


class ConcernReportIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "municipality": "3107",
                    "reporter_kind": "injection_room",
                    "description": "Flere brukere melder om blå tabletter merket «M30» solgt som "
                    "oksykodon; to ble tungpustne etter en halv tablett.",
                    "substances": ["other_opioid"],
                    "observed_at": "2026-11-23T10:30:00+01:00",
                }
            ]
        }
    )

    municipality: MunicipalityCode = Field(description="Kommunenummer, one of the client's.")
    reporter_kind: ReporterKind
    description: Description = Field(
        description="What was seen or heard about the drug: 3-1000 characters, no names, "
        "national ids or phone numbers."
    )
    substances: list[Substance] = Field(
        default_factory=list,
        max_length=len(Substance),
        description="What it is thought to be.",
        json_schema_extra={"uniqueItems": True},
    )
    observed_at: BoundedInstant | None = Field(default=None, description="When it was observed.")

    @field_validator("substances")
    @classmethod
    def _distinct(cls, values: list[Substance]) -> list[Substance]:
        if len(set(values)) != len(values):
            raise ValueError("each substance only once")
        return values


class ConcernReportOut(BaseModel):
    id: uuid.UUID
    municipality: str
    reporter_kind: ReporterKind
    description: str
    substances: list[Substance]
    observed_at: datetime | None
    created_at: datetime


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


class DismissalIn(_In):
    by: ActingStaff | None = Field(
        default=None,
        description="Who acts: required from a case system; from a staff session it is the "
        "signed-in member (a `by` sent is replaced).",
    )
    note: Note = Field(description="Why no warning is needed (3-1000 characters).")


class WarningIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "municipality": "3107",
                    "signal_id": "6f1c2b9e-3a57-4a0e-9a43-1a9d2f4c8b11",
                    "text": "Flere overdoser siste døgn i sentrum. Mulig sterkt opioid solgt som "
                    "heroin. Ikke bruk alene, ta en liten prøvedose, ha nalokson klar.",
                    "valid_days": 14,
                    "by": {"name": "Kari Solberg", "role": "leder, Ressursteam overdose"},
                }
            ]
        }
    )

    municipality: MunicipalityCode
    signal_id: uuid.UUID | None = Field(default=None, description="The cluster it answers")
    concern_report_id: uuid.UUID | None = Field(
        default=None, description="The concern report it answers"
    )
    text: WarningText = Field(
        description="What the SMS says after «Rusvarsel fra <kommune>, gjelder til <dato>:»: "
        "3-300 characters, one line; no names, national ids or phone numbers. Write "
        "«flere», not a count below 5: the SMS leaves the service, as anonymous statistics do."
    )
    valid_days: ValidDays = Field(
        default=DEFAULT_VALID_DAYS, description="In force this many days after approval."
    )
    by: ActingStaff | None = Field(
        default=None,
        description="Who acts: required from a case system; from a staff session it is the "
        "signed-in member (a `by` sent is replaced).",
    )

    @model_validator(mode="after")
    def _has_a_source(self) -> Self:
        if self.signal_id is None and self.concern_report_id is None:
            raise ValueError("give signal_id or concern_report_id (or both)")
        return self


class WarningEdit(_In):
    text: WarningText | None = None
    valid_days: ValidDays | None = None
    by: ActingStaff | None = Field(
        default=None,
        description="Who acts: required from a case system; from a staff session it is the "
        "signed-in member (a `by` sent is replaced).",
    )


class ApprovalIn(_In):
    by: ActingStaff | None = Field(
        default=None,
        description="Who acts: required from a case system; from a staff session it is the "
        "signed-in member (a `by` sent is replaced).",
    )


class ReviewIn(_In):
    by: ActingStaff | None = Field(
        default=None,
        description="Who acts: required from a case system; from a staff session it is the "
        "signed-in member (a `by` sent is replaced).",
    )
    note: Note = Field(description="What the review found (3-1000 characters).")


class WarningState(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    EXPIRED = "expired"


class SmsCounts(BaseModel):
    pending: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0


class WarningOut(BaseModel):
    id: uuid.UUID
    municipality: str
    status: WarningStatus
    state: WarningState = Field(description="`draft`; `active` until `expires_at`; `expired`")
    review_due: bool = Field(description="Expired and not reviewed yet")
    signal_id: uuid.UUID | None
    concern_report_id: uuid.UUID | None
    text: str
    sms_text: str = Field(description="The SMS as it goes (or would go, if approved now)")
    valid_days: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    approved_at: datetime | None
    approved_by: str | None
    expires_at: datetime | None
    reviewed_at: datetime | None
    reviewed_by: str | None
    review_note: str | None
    sms: SmsCounts = Field(description="The SMS to the contact list, by state")
    neighbours: list[str] = Field(description="Municipalities it arrived in")


class IncomingWarningOut(BaseModel):
    """A warning approved in a neighbouring municipality."""

    id: uuid.UUID
    warning_id: uuid.UUID
    municipality: str = Field(description="The receiving municipality")
    from_municipality: str
    from_municipality_name: str
    text: str
    approved_at: datetime
    expires_at: datetime
    received_at: datetime
    expired: bool


class WarningContact(_In):
    name: ShortText = Field(description="Who it is: a service, a role or a staff member")
    mobile: MobileStr = Field(description="A Norwegian mobile number; stored as E.164.")


class WarningContacts(_In):
    """Who a municipality's approved warnings reach."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contacts": [
                        {"name": "Feltpleien vakttelefon", "mobile": "+4791234567"},
                        {"name": "Sprøyterommet", "mobile": "+4798765432"},
                    ],
                    "neighbours": ["3105", "0301"],
                }
            ]
        }
    )

    contacts: list[WarningContact] = Field(
        max_length=200, description="Each gets the warning by SMS when it is approved."
    )
    neighbours: list[MunicipalityCode] = Field(
        max_length=50,
        json_schema_extra={"uniqueItems": True},
        description="Municipalities served by odvarsel whose leaders receive the warnings in "
        "their list of incoming warnings (a neighbour not served: add its contact above).",
    )

    @field_validator("contacts")
    @classmethod
    def _distinct_mobiles(cls, values: list[WarningContact]) -> list[WarningContact]:
        if len({c.mobile for c in values}) != len(values):
            raise ValueError("each mobile number only once")
        return values

    @field_validator("neighbours")
    @classmethod
    def _distinct(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError("each municipality only once")
        return values


class ClusterRuleIn(_In):
    area: AreaKind = AreaKind.MUNICIPALITY
    min_count: Integer = Field(default=3, ge=2, le=100, description="N overdoses …")
    window_hours: Number = Field(default=6, ge=0.5, le=168, description="… within H hours")
    radius_km: Number | None = Field(
        default=None, ge=0.05, le=100, description="For `radius`: km from an overdose"
    )

    @model_validator(mode="after")
    def _radius(self) -> Self:
        if self.area is AreaKind.RADIUS and self.radius_km is None:
            raise ValueError("a radius area needs radius_km")
        if self.area is not AreaKind.RADIUS and self.radius_km is not None:
            raise ValueError("radius_km is only for a radius area")
        return self


class DistrictIn(_In):
    """A district (bydel) the municipality draws for its district rules."""

    name: DistrictName = Field(
        description=f"1-{MAX_DISTRICT_NAME} characters, no control characters; unique in the "
        "municipality (ignoring case). Signals of the district name it.",
        examples=["Sentrum"],
    )
    boundary: list[tuple[Latitude, Longitude]] = Field(
        min_length=MIN_BOUNDARY_POINTS,
        max_length=MAX_BOUNDARY_POINTS,
        description=f"{MIN_BOUNDARY_POINTS}-{MAX_BOUNDARY_POINTS} [latitude, longitude] points "
        "(WGS 84 degrees) in order around the district; it closes itself (the last point may "
        "repeat the first). A simple polygon: its edges never cross or touch, and it encloses "
        "an area. An overdose on the boundary is inside.",
    )

    @field_validator("boundary")
    @classmethod
    def _simple_polygon(cls, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        problem = boundary_problem(points)
        if problem is not None:
            raise ValueError(problem)
        return points


class ClusterRules(_In):
    """How clusters are detected in a municipality: each rule raises its own signals."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rules": [
                        {"area": "municipality", "min_count": 4, "window_hours": 6},
                        {"area": "radius", "min_count": 3, "window_hours": 6, "radius_km": 1},
                    ]
                }
            ]
        }
    )

    rules: list[ClusterRuleIn] = Field(
        max_length=10,
        description="None: no cluster detection. N events count together when the first and "
        "the last are at most H hours apart (inclusive), by when they happened.",
    )
    districts: list[DistrictIn] = Field(
        default_factory=list,
        max_length=MAX_DISTRICTS,
        description="The municipality's districts (bydeler), for `district` rules: an alert "
        "counts in the district whose boundary holds its coordinates (the first listed, "
        "where districts overlap); alerts without coordinates, or outside every district, "
        "count in none. A `district` rule needs at least one. Omitted: none.",
    )


class ClusterRulesDoc(ClusterRules):
    configured: bool = Field(description="False: the default rules")
