"""Which alert fields hold which category of personal data (BRIEF §3, §4).

Paths are the dotted paths of :mod:`app.alerts.schemas` (``person.name``), the same paths
the API uses to name dropped fields. Used to minimise at intake (what is never stored on an
objection) and to build what a recipient may see (the fields of their allowed categories).
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
        "person.homeless": DataCategory.SITUATION,
        "person.children_in_household": DataCategory.SITUATION,
        "place.type": DataCategory.SITUATION,
        "clinical.substances": DataCategory.CLINICAL,
        "clinical.naloxone_given": DataCategory.CLINICAL,
        "clinical.naloxone_doses": DataCategory.CLINICAL,
        "clinical.outcome": DataCategory.CLINICAL,
        "clinical.observed_two_hours": DataCategory.CLINICAL,
    }
)
"""The category of every field that holds personal data about the person."""

NOT_PERSONAL_FIELDS: frozenset[str] = frozenset(
    {
        "reporter.unit",
        # The ambulance's own number, not the patient's.
        "reporter.callback_phone",
    }
)
"""Fields about the reporting unit, not the person: always kept, shown to the team."""

IDENTIFYING_FIELDS: frozenset[str] = frozenset(
    {
        "person.national_id",
        "person.name",
        "person.birth_year",
        "person.sex",
        "person.phone",
        "place.description",
        "place.latitude",
        "place.longitude",
        # Facts about the person's household, not the event: with time, municipality and
        # place type they narrow a small municipality down to a few people.
        "person.homeless",
        "person.children_in_household",
    }
)
"""Dropped before anything is stored when the person objected (BRIEF §4: never store what
may not be shared). What stays - time, municipality, kind, clinical facts, place type - is
the anonymous alert that still serves statistics and drug warnings."""


def fields_in(categories: Iterable[DataCategory]) -> frozenset[str]:
    """The fields that hold data of the given categories."""
    wanted = frozenset(categories)
    return frozenset(path for path, category in CATEGORY_OF.items() if category in wanted)


def fields_to_drop_on_objection(present_fields: Iterable[str]) -> list[str]:
    """The identifying fields among `present_fields`, sorted, each once."""
    return sorted(IDENTIFYING_FIELDS.intersection(present_fields))
