"""Which alert fields hold which category of personal data (docs/rules.md, "Consent and who
sees what").

Paths are the dotted paths of :mod:`app.alerts.schemas` (``person.name``), the same paths
the API uses to name dropped fields. Used to minimise at intake (what no recipient may ever
see is never stored) and to build what a recipient may see (the fields of their categories).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from app.consent.enums import DataCategory

CATEGORY_OF: Mapping[str, DataCategory] = MappingProxyType(
    {
        "person.national_id": DataCategory.IDENTITY,
        "person.name": DataCategory.IDENTITY,
        "person.birth_year": DataCategory.IDENTITY,
        "person.sex": DataCategory.IDENTITY,
        "person.phone": DataCategory.CONTACT,
        "place.description": DataCategory.PLACE,
        "place.latitude": DataCategory.PLACE,
        "place.longitude": DataCategory.PLACE,
        "destination.type": DataCategory.PLACE,
        "destination.name": DataCategory.PLACE,
        "person.homeless": DataCategory.SITUATION,
        "person.children_in_household": DataCategory.SITUATION,
        "place.type": DataCategory.SITUATION,
        "scene.others_present": DataCategory.SITUATION,
        "scene.relative_present": DataCategory.BYSTANDERS,
        "scene.relative_called_113": DataCategory.BYSTANDERS,
        "clinical.outcome": DataCategory.ACUTE_RISK,
        "clinical.observed_two_hours": DataCategory.ACUTE_RISK,
        "naloxone.given": DataCategory.ACUTE_RISK,
        "naloxone.by": DataCategory.ACUTE_RISK,
        "naloxone.route": DataCategory.ACUTE_RISK,
        "naloxone.doses": DataCategory.ACUTE_RISK,
        "naloxone.last_dose_at": DataCategory.ACUTE_RISK,
        "severity.unconscious": DataCategory.ACUTE_RISK,
        "severity.breathing_stopped": DataCategory.ACUTE_RISK,
        "severity.cardiac_arrest": DataCategory.ACUTE_RISK,
        "severity.cpr_given": DataCategory.ACUTE_RISK,
        # Suicide risk: whoever goes out must know it (docs/rules.md, "Suicide risk").
        "clinical.intent": DataCategory.ACUTE_RISK,
        "clinical.suicidal_thoughts": DataCategory.ACUTE_RISK,
        "clinical.substances": DataCategory.SUBSTANCES,
        "clinical.substance_certainty": DataCategory.SUBSTANCES,
        "clinical.drug_description": DataCategory.SUBSTANCES,
    }
)
"""The category of every field that holds personal data about the person."""

AGE_BAND_FIELD = "person.age_band"
"""Kept whatever the consent (a minor changes who consents and who is told: pbrl §§ 4-3,
4-4, 3-4) and counted, except on an objected alert where too few share it (the group rule,
`app.alerts.anonymity`); shown where identity may be shown, and to the leader on an objected
alert that kept it."""

NOT_PERSONAL_FIELDS: frozenset[str] = frozenset(
    {
        "reporter.unit",
        # The ambulance's own number, not the patient's.
        "reporter.callback_phone",
        "reporter.type",
    }
)
"""Fields about the reporting unit, not the person: kept, shown to the team (sealed at rest:
with the time they point to the person)."""


def category_of(path: str) -> DataCategory:
    """The category a field is disclosed under; the age band goes with identity."""
    return DataCategory.IDENTITY if path == AGE_BAND_FIELD else CATEGORY_OF[path]


def fields_in(categories: Iterable[DataCategory]) -> frozenset[str]:
    """The fields that hold data of the given categories."""
    wanted = frozenset(categories)
    return frozenset(path for path, category in CATEGORY_OF.items() if category in wanted)
