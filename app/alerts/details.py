"""API models of an alert with the personal data its recipient may see (docs/rules.md,
"Consent and who sees what").

Only :mod:`app.alerts.disclosure` builds them, and it logs every one that carries personal
data. A section is absent when nothing in it may be shown, or nothing in it was reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from app.alerts.enums import AlertStatus
from app.alerts.schemas.examples import PERSON_EXAMPLE, PLACE_EXAMPLE, REPORTER_EXAMPLE
from app.api.bodies import with_examples
from app.audit.enums import AccessBasis
from app.consent.enums import ConsentGiver, ConsentState, DataCategory
from app.overdose.enums import (
    AgeBand,
    AlertKind,
    Certainty,
    DestinationType,
    Intent,
    NaloxoneGiver,
    NaloxoneRoute,
    Outcome,
    PlaceType,
    Sex,
    Substance,
    SuicidalThoughts,
)


class PersonDetails(BaseModel):
    national_id: str | None = None
    name: str | None = None
    phone: str | None = Field(default=None, description="E.164.")
    birth_year: int | None = None
    sex: Sex | None = None
    age_band: AgeBand | None = None
    homeless: bool | None = None
    children_in_household: bool | None = None


class PlaceDetails(BaseModel):
    description: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    type: PlaceType | None = None


class DestinationDetails(BaseModel):
    type: DestinationType | None = None
    name: str | None = None


class SceneDetails(BaseModel):
    others_present: bool | None = None
    relative_present: bool | None = None
    relative_called_113: bool | None = None


class ClinicalDetails(BaseModel):
    outcome: Outcome | None = None
    observed_two_hours: bool | None = None
    substances: list[Substance] | None = None
    substance_certainty: Certainty | None = None
    drug_description: str | None = None
    intent: Intent | None = None
    suicidal_thoughts: SuicidalThoughts | None = None


class NaloxoneDetails(BaseModel):
    given: bool | None = None
    by: list[NaloxoneGiver] | None = None
    route: NaloxoneRoute | None = None
    doses: int | None = None
    last_dose_at: datetime | None = None


class SeverityDetails(BaseModel):
    unconscious: bool | None = None
    breathing_stopped: bool | None = None
    cardiac_arrest: bool | None = None
    cpr_given: bool | None = None


SECTIONS: dict[str, type[BaseModel]] = {
    "person": PersonDetails,
    "place": PlaceDetails,
    "destination": DestinationDetails,
    "scene": SceneDetails,
    "clinical": ClinicalDetails,
    "naloxone": NaloxoneDetails,
    "severity": SeverityDetails,
}
"""The sections of personal data, in the order they are shown."""


class ReporterDetails(BaseModel):
    """The ambulance, not the person: always shown."""

    unit: str | None = None
    callback_phone: str | None = None


DETAILS_EXAMPLE: dict[str, Any] = {
    "id": "0b9f6a52-8a3c-4a7e-9d51-2f0c2b4e7d10",
    "municipality": "3107",
    "kind": "non_fatal",
    "occurred_at": "2026-11-22T22:41:00Z",
    "received_at": "2026-11-22T22:41:03Z",
    "status": "received",
    "consent_state": "not_asked",
    "reporter": REPORTER_EXAMPLE,
    "person": PERSON_EXAMPLE,
    "place": {"description": PLACE_EXAMPLE, "type": "outdoors"},
    "destination": {"type": "home_alone"},
    "clinical": {"outcome": "declined_transport", "substances": ["heroin"]},
    "naloxone": {"given": True, "by": ["bystander"], "doses": 1},
    "disclosed_categories": ["acute_risk", "contact", "identity", "place", "substances"],
    "legal_basis": "hpl_25",
    "inform_person_required": True,
}


class AlertDetails(BaseModel):
    """An alert with what this recipient may see; without consent, only the anonymous part."""

    model_config = with_examples(DETAILS_EXAMPLE)

    id: UUID
    municipality: str
    kind: AlertKind
    occurred_at: datetime
    received_at: datetime
    status: AlertStatus
    consent_state: ConsentState
    consent_given_by: ConsentGiver | None = Field(
        default=None,
        description="Who gave the recorded consent; null when not said, and on an anonymous alert.",
    )
    consent_recorded_state: ConsentState | None = Field(
        default=None,
        description="The consent as recorded, where it counts as `consent_state` instead: "
        "under 16 a consent from the child alone counts as `not_asked` (pbrl §§ 4-3, 4-4). "
        "Null where it counts as recorded.",
    )
    reporter: ReporterDetails | None = Field(
        description="The reporting unit; null on an anonymous alert (it points to the person)."
    )
    person: PersonDetails | None = None
    place: PlaceDetails | None = None
    destination: DestinationDetails | None = None
    scene: SceneDetails | None = None
    clinical: ClinicalDetails | None = None
    naloxone: NaloxoneDetails | None = None
    severity: SeverityDetails | None = None
    anonymous: bool = Field(
        default=False,
        description="The person objected: times are rounded to the hour, no reporter, place "
        "or identity is kept, and the outcome and the age band only where at least five alerts "
        "of the municipality in the year share them (hpl § 23 nr. 2)",
    )
    disclosed_categories: list[DataCategory] = Field(
        description="The categories of personal data in this answer; empty: anonymous."
    )
    legal_basis: AccessBasis | None = Field(
        description="Why they may be shown (consent, hpl § 25, § 26, § 23 nr. 2); null when "
        "nothing was."
    )
    inform_person_required: bool = Field(
        description="Data was shared without consent: the person must be told what "
        "(pasient- og brukerrettighetsloven § 3-6)."
    )


def sections_of(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """`{"person.name": v}` -> `{"person": {"name": v}}`."""
    sections: dict[str, dict[str, Any]] = {}
    for path, value in values.items():
        section, _, name = path.partition(".")
        sections.setdefault(section, {})[name] = value
    return sections
