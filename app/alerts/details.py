"""API models of an alert with the personal data its recipient may see (BRIEF §4).

Only :mod:`app.alerts.disclosure` builds them, and it logs every one that carries personal
data. A section is absent when nothing in it may be shown, or nothing in it was reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from app.alerts.enums import AlertKind, AlertStatus, Outcome, PlaceType, Sex, Substance
from app.audit.enums import AccessBasis
from app.consent.enums import ConsentState, DataCategory


class PersonDetails(BaseModel):
    national_id: str | None = None
    name: str | None = None
    phone: str | None = Field(default=None, description="E.164.")
    birth_year: int | None = None
    sex: Sex | None = None
    homeless: bool | None = None
    children_in_household: bool | None = None


class PlaceDetails(BaseModel):
    description: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    type: PlaceType | None = None


class ClinicalDetails(BaseModel):
    substances: list[Substance] | None = None
    naloxone_given: bool | None = None
    naloxone_doses: int | None = None
    outcome: Outcome | None = None
    observed_two_hours: bool | None = None


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
    "reporter": {"unit": "Ambulanse Fredrikstad 2", "callback_phone": "+4769000000"},
    "person": {"national_id": "01010750160", "name": "Ola Nordmann", "phone": "+4791234567"},
    "place": {"description": "Utenfor Fredrikstad stasjon", "type": "public_place"},
    "clinical": {"substances": ["opioid"], "naloxone_given": True, "outcome": "declined_transport"},
    "disclosed_categories": ["clinical", "contact", "identity", "place", "situation"],
    "legal_basis": "hpl_25",
    "inform_person_required": True,
}


class AlertDetails(BaseModel):
    """An alert with what this recipient may see; without consent, only the anonymous part."""

    model_config = ConfigDict(json_schema_extra={"examples": [DETAILS_EXAMPLE]})

    id: UUID
    municipality: str
    kind: AlertKind
    occurred_at: datetime
    received_at: datetime
    status: AlertStatus
    consent_state: ConsentState
    reporter: ReporterDetails
    person: PersonDetails | None = None
    place: PlaceDetails | None = None
    clinical: ClinicalDetails | None = None
    disclosed_categories: list[DataCategory] = Field(
        description="The categories of personal data in this answer; empty: anonymous."
    )
    legal_basis: AccessBasis | None = Field(
        description="Why they may be shown (consent or hpl § 25); null when nothing was."
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
