"""Every alert field is classified, and an objection drops exactly the identifying ones."""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from app.alerts.schemas import ALERT_EXAMPLE, REQUIRED_FIELDS, AlertIn, Clinical, Person, Place
from app.consent.enums import DataCategory
from app.consent.fields import (
    CATEGORY_OF,
    IDENTIFYING_FIELDS,
    NOT_PERSONAL_FIELDS,
    fields_in,
    fields_to_drop_on_objection,
)

# The consent section is the input of the rules, not data that is shared.
NOT_DATA_SECTIONS = {"consent"}


def _section_model(annotation: Any) -> type[BaseModel] | None:
    """The model of a section field (`Place | None` -> Place), or None for a plain field."""
    candidates = get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else ()
    for candidate in (annotation, *candidates):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _sections() -> dict[str, type[BaseModel]]:
    sections = {}
    for name, field in AlertIn.model_fields.items():
        model = _section_model(field.annotation)
        if model is not None and name not in NOT_DATA_SECTIONS:
            sections[name] = model
    return sections


def _schema_paths() -> set[str]:
    paths = {
        name
        for name, field in AlertIn.model_fields.items()
        if _section_model(field.annotation) is None and name not in REQUIRED_FIELDS
    }
    for section, model in _sections().items():
        paths |= {f"{section}.{name}" for name in model.model_fields}
    return paths


def test_the_introspection_finds_the_personal_sections() -> None:
    sections = _sections()
    assert sections["person"] is Person
    assert sections["place"] is Place
    assert sections["clinical"] is Clinical
    assert {"person.name", "place.type", "clinical.outcome"} <= _schema_paths()


def test_every_schema_field_is_classified() -> None:
    classified = set(CATEGORY_OF) | NOT_PERSONAL_FIELDS
    unclassified = sorted(_schema_paths() - classified)
    assert unclassified == [], "classify new alert fields in app/consent/fields.py"


def test_every_classified_field_exists_in_the_schema() -> None:
    stale = sorted((set(CATEGORY_OF) | NOT_PERSONAL_FIELDS) - _schema_paths())
    assert stale == []


def test_a_field_is_either_personal_or_not() -> None:
    assert set(CATEGORY_OF).isdisjoint(NOT_PERSONAL_FIELDS)


EXPECTED_FIELDS_OF = {
    DataCategory.IDENTITY: {
        "person.national_id",
        "person.name",
        "person.birth_year",
        "person.sex",
    },
    DataCategory.CONTACT: {"person.phone"},
    DataCategory.PLACE: {"place.description", "place.latitude", "place.longitude"},
    DataCategory.SITUATION: {"person.homeless", "person.children_in_household", "place.type"},
    DataCategory.CLINICAL: {
        "clinical.substances",
        "clinical.naloxone_given",
        "clinical.naloxone_doses",
        "clinical.outcome",
        "clinical.observed_two_hours",
    },
}


@pytest.mark.parametrize("category", list(DataCategory))
def test_fields_of_each_category(category: DataCategory) -> None:
    assert fields_in([category]) == EXPECTED_FIELDS_OF[category]


def test_fields_of_several_categories_and_of_none() -> None:
    assert fields_in([DataCategory.CONTACT, DataCategory.PLACE]) == {
        "person.phone",
        "place.description",
        "place.latitude",
        "place.longitude",
    }
    assert fields_in([]) == frozenset()
    assert fields_in(DataCategory) == set(CATEGORY_OF)


def test_reporter_fields_are_not_personal() -> None:
    assert {"reporter.unit", "reporter.callback_phone"} == NOT_PERSONAL_FIELDS


def test_identifying_fields() -> None:
    assert {
        "person.national_id",
        "person.name",
        "person.birth_year",
        "person.sex",
        "person.phone",
        "place.description",
        "place.latitude",
        "place.longitude",
        "person.homeless",
        "person.children_in_household",
    } == IDENTIFYING_FIELDS


def test_identity_contact_and_exact_place_are_always_identifying() -> None:
    must_drop = fields_in([DataCategory.IDENTITY, DataCategory.CONTACT, DataCategory.PLACE])
    assert must_drop <= IDENTIFYING_FIELDS
    assert set(CATEGORY_OF) >= IDENTIFYING_FIELDS


def test_the_anonymous_alert_keeps_what_statistics_and_drug_warnings_need() -> None:
    kept = fields_in([DataCategory.CLINICAL]) | {"place.type"} | NOT_PERSONAL_FIELDS
    assert kept.isdisjoint(IDENTIFYING_FIELDS)


def test_drop_on_objection_picks_present_identifying_fields_sorted() -> None:
    present = ["clinical.outcome", "place.latitude", "person.name", "place.type", "person.name"]
    assert fields_to_drop_on_objection(present) == ["person.name", "place.latitude"]


def test_drop_on_objection_of_nothing_identifying() -> None:
    assert fields_to_drop_on_objection(iter(["clinical.substances", "reporter.unit"])) == []
    assert fields_to_drop_on_objection([]) == []


def test_drop_on_objection_of_the_api_example() -> None:
    present = [
        f"{section}.{name}"
        for section, values in ALERT_EXAMPLE.items()
        if isinstance(values, dict)
        for name in values
    ]
    assert fields_to_drop_on_objection(present) == [
        "person.children_in_household",
        "person.homeless",
        "person.name",
        "person.national_id",
        "person.phone",
        "place.description",
    ]
