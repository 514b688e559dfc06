"""API models of an alert (BRIEF §3).

The four required fields are strict: if one is missing or malformed the alert is refused
with 422. Every other field is optional and lenient: a value that fails validation is left
out, the alert is accepted, and the response names the field and the reason
(:attr:`AlertIn.dropped_fields`). Validation messages never repeat the value sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)

from app.alerts.enums import AlertKind, AlertStatus, Outcome, PlaceType, Sex, Substance
from app.consent.enums import ConsentRecipient, ConsentState, DataCategory
from app.errors import FieldProblem, field_path
from app.input_guard import refuse_control_characters
from app.instants import BoundedInstant
from app.norway.types import NationalIdStr, PhoneStr
from app.timeline.schemas import CrewAnswer, StaffRef, TimelineEntry

REQUIRED_FIELDS = ("dispatch_incident_id", "occurred_at", "municipality", "kind")

# Text with NUL or other control characters cannot be stored (PostgreSQL) or shown as it is:
# in an optional field it is dropped and listed, in the incident id it is a 422.
SafeText = Annotated[str, AfterValidator(refuse_control_characters)]
ShortText = Annotated[
    SafeText, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]


PlaceText = Annotated[SafeText, StringConstraints(strip_whitespace=True, max_length=500)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


class Place(_Section):
    description: PlaceText | None = Field(default=None, examples=["Utenfor Fredrikstad stasjon"])
    latitude: float | None = Field(default=None, ge=-90, le=90, examples=[59.2087])
    longitude: float | None = Field(default=None, ge=-180, le=180, examples=[10.9503])
    type: PlaceType | None = Field(default=None, examples=[PlaceType.PUBLIC_PLACE])


class Person(_Section):
    national_id: NationalIdStr | None = Field(
        default=None, description="Fødselsnummer or D-nummer; refused if the check digits fail."
    )
    name: ShortText | None = None
    phone: PhoneStr | None = Field(default=None, description="Stored as E.164.")
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    sex: Sex | None = None
    homeless: bool | None = None
    children_in_household: bool | None = Field(
        default=None, description="Children under 18 in the household (hpl § 33)."
    )


class Clinical(_Section):
    substances: list[Substance] | None = Field(default=None, max_length=6)
    naloxone_given: bool | None = None
    naloxone_doses: int | None = Field(default=None, ge=0, le=20)
    outcome: Outcome | None = None
    observed_two_hours: bool | None = Field(
        default=None, description="At least two hours' observation after naloxone."
    )


class Consent(_Section):
    state: ConsentState = Field(description="What the person said about sharing.")
    recipients: list[ConsentRecipient] = Field(
        default_factory=list,
        description="With `consented`: who beyond the on-duty team may be told.",
    )
    categories: list[DataCategory] | None = Field(
        default=None,
        description="With `consented`: which kinds of data may be shared; all if absent.",
    )


class Reporter(_Section):
    unit: ShortText | None = Field(default=None, examples=["Ambulanse Fredrikstad 2"])
    callback_phone: PhoneStr | None = Field(default=None, examples=["+4769000000"])


ALERT_EXAMPLE: dict[str, Any] = {
    "dispatch_incident_id": "AMK-OST-2026-004711",
    "occurred_at": "2026-11-22T23:41:00+01:00",
    "municipality": "3107",
    "kind": "non_fatal",
    "place": {"description": "Utenfor Fredrikstad stasjon", "type": "public_place"},
    "person": {
        "national_id": "01010750160",
        "name": "Ola Nordmann",
        "phone": "+4791234567",
        "homeless": False,
        "children_in_household": False,
    },
    "clinical": {
        "substances": ["opioid"],
        "naloxone_given": True,
        "naloxone_doses": 2,
        "outcome": "declined_transport",
        "observed_two_hours": False,
    },
    "consent": {"state": "not_asked"},
    "reporter": {"unit": "Ambulanse Fredrikstad 2", "callback_phone": "+4769000000"},
}


class AlertIn(BaseModel):
    """An overdose alert as a dispatch system sends it."""

    model_config = ConfigDict(
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra={"examples": [ALERT_EXAMPLE]},
    )

    dispatch_incident_id: Annotated[
        SafeText,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"^\S+$"),
    ] = Field(description="The dispatch system's incident id: the idempotency key.")
    occurred_at: BoundedInstant = Field(
        description="When it happened, with a UTC offset. At most `INTAKE__MAX_AGE_DAYS` "
        "(365) days before and `INTAKE__MAX_FUTURE_MINUTES` (60) minutes after the service's "
        "clock: other times are refused (422) as the sign of a wrong clock or time zone."
    )
    municipality: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")] = Field(
        description="Kommunenummer (4 digits), e.g. 3107 Fredrikstad."
    )
    kind: AlertKind
    place: Place | None = None
    person: Person | None = None
    clinical: Clinical | None = None
    consent: Consent | None = Field(
        default=None,
        description="Absent means `not_asked`. A consent that cannot be read is treated as "
        "`objected`, the most protective reading.",
    )
    reporter: Reporter | None = None

    _dropped: list[FieldProblem] = PrivateAttr(default_factory=list)

    @property
    def dropped_fields(self) -> list[FieldProblem]:
        return self._dropped

    @property
    def consent_state(self) -> ConsentState:
        return self.consent.state if self.consent else ConsentState.NOT_ASKED

    @model_validator(mode="wrap")
    @classmethod
    def _leave_out_invalid_optional_fields(
        cls, data: Any, handler: ValidatorFunctionWrapHandler
    ) -> AlertIn:
        try:
            return handler(data)  # type: ignore[no-any-return]
        except ValidationError as exc:
            if not isinstance(data, dict):
                raise
            cleaned, dropped = _without_invalid_optional_fields(data, exc)
            if not dropped:
                raise
            model: AlertIn = handler(cleaned)  # raises with only the required-field errors
            model._dropped = dropped
            return model


def _without_invalid_optional_fields(
    data: dict[str, Any], exc: ValidationError
) -> tuple[dict[str, Any], list[FieldProblem]]:
    cleaned = _copy_for_removal(data)
    dropped: dict[str, FieldProblem] = {}
    targets: set[tuple[int | str, ...]] = set()
    for error in exc.errors():
        loc = tuple(error["loc"])
        if not loc or loc[0] in REQUIRED_FIELDS:
            continue
        target = _target_of(cleaned, loc)
        reason = (
            "unknown field" if error["type"] == "extra_forbidden" else str(error["msg"])
        ).removeprefix("Value error, ")
        if target[0] == "consent":
            reason += "; the consent was not understood and is treated as objected"
        dropped.setdefault(
            field_path(target), FieldProblem(field=field_path(target), reason=reason)
        )
        targets.add(target)
    # Remove list items from the highest index down so earlier indices stay valid.
    for target in sorted(targets, key=lambda t: [str(p).zfill(6) for p in t], reverse=True):
        _remove(cleaned, target)
    if any(target[0] == "consent" for target in targets):
        cleaned["consent"] = {"state": ConsentState.OBJECTED.value}
    return cleaned, list(dropped.values())


def _copy_for_removal(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of what :func:`_remove` may change (sections and their lists), not deeper: an
    odd value can be nested hundreds of levels, too deep for copy.deepcopy."""
    cleaned = dict(data)
    for key, section in cleaned.items():
        if isinstance(section, dict):
            cleaned[key] = {k: list(v) if isinstance(v, list) else v for k, v in section.items()}
    return cleaned


def _target_of(data: dict[str, Any], loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """What to leave out for an error at `loc`: a list item, a field, or a whole section."""
    if loc[0] == "consent" or not isinstance(data.get(str(loc[0])), dict) or len(loc) == 1:
        return loc[:1]
    if len(loc) >= 3 and isinstance(loc[2], int):
        return loc[:3]
    return loc[:2]


def _remove(data: dict[str, Any], path: tuple[int | str, ...]) -> None:
    container: Any = data
    for key in path[:-1]:
        container = container.get(str(key)) if isinstance(container, dict) else None
    last = path[-1]
    if isinstance(container, dict):
        container.pop(last, None)
    elif isinstance(container, list) and isinstance(last, int) and last < len(container):
        container.pop(last)


class AlertOut(BaseModel):
    """The state of an alert as its sender sees it: no personal data."""

    id: UUID
    dispatch_incident_id: str
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
        description="What happened, in order: received, paged (roles and step), acknowledged, "
        "answered. No personal data.",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
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
                    "acknowledged_by": None,
                    "answer": None,
                    "next_step_due_at": "2026-11-22T22:46:03Z",
                    "timeline": [
                        {"at": "2026-11-22T22:41:03Z", "kind": "received"},
                        {
                            "at": "2026-11-22T22:41:04Z",
                            "kind": "paged",
                            "step": 1,
                            "round": 1,
                            "roles": ["sykepleier"],
                        },
                    ],
                }
            ]
        }
    )
