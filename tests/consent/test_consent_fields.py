"""Every alert field is classified into exactly one category (or is the age band, or not
personal), and minimisation drops whole categories."""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from app.alerts.minimise import not_kept
from app.alerts.schemas.alert_in import REQUIRED_FIELDS, AlertIn
from app.alerts.schemas.sections import Clinical, Person, Place
from app.consent.enums import ConsentState, DataCategory, Recipient
from app.consent.fields import (
    AGE_BAND_FIELD,
    CATEGORY_OF,
    NOT_PERSONAL_FIELDS,
    category_of,
    fields_in,
)
from app.consent.rules import ConsentContext, decide

# The consent section is the input of the rules, not data that is shared.
NOT_DATA_SECTIONS = {"consent"}
# The first version's fields, read into the `naloxone` section and never stored as they are.
DEPRECATED_FIELDS = {"clinical.naloxone_given", "clinical.naloxone_doses"}


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
    classified = set(CATEGORY_OF) | NOT_PERSONAL_FIELDS | {AGE_BAND_FIELD} | DEPRECATED_FIELDS
    unclassified = sorted(_schema_paths() - classified)
    assert unclassified == [], "classify new alert fields in app/consent/fields.py"


def test_every_classified_field_exists_in_the_schema() -> None:
    stale = sorted((set(CATEGORY_OF) | NOT_PERSONAL_FIELDS | {AGE_BAND_FIELD}) - _schema_paths())
    assert stale == []


def test_a_field_is_either_personal_or_not() -> None:
    assert set(CATEGORY_OF).isdisjoint(NOT_PERSONAL_FIELDS)
    assert AGE_BAND_FIELD not in set(CATEGORY_OF) | NOT_PERSONAL_FIELDS


EXPECTED_FIELDS_OF = {
    DataCategory.IDENTITY: {
        "person.national_id",
        "person.name",
        "person.birth_year",
        "person.sex",
    },
    DataCategory.CONTACT: {"person.phone"},
    DataCategory.PLACE: {
        "place.description",
        "place.latitude",
        "place.longitude",
        "destination.type",
        "destination.name",
    },
    DataCategory.SITUATION: {
        "person.homeless",
        "person.children_in_household",
        "place.type",
        "scene.others_present",
    },
    DataCategory.ACUTE_RISK: {
        "clinical.outcome",
        "clinical.observed_two_hours",
        "naloxone.given",
        "naloxone.by",
        "naloxone.route",
        "naloxone.doses",
        "naloxone.last_dose_at",
        "severity.unconscious",
        "severity.breathing_stopped",
        "severity.cardiac_arrest",
        "severity.cpr_given",
        "clinical.intent",
        "clinical.suicidal_thoughts",
    },
    DataCategory.SUBSTANCES: {
        "clinical.substances",
        "clinical.substance_certainty",
        "clinical.drug_description",
    },
    DataCategory.BYSTANDERS: {"scene.relative_present", "scene.relative_called_113"},
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
        "destination.type",
        "destination.name",
    }
    assert fields_in([]) == frozenset()
    assert fields_in(DataCategory) == set(CATEGORY_OF)


def test_reporter_fields_are_not_personal() -> None:
    assert {"reporter.unit", "reporter.callback_phone", "reporter.type"} == NOT_PERSONAL_FIELDS


def test_not_kept_drops_whole_categories_and_never_the_age_band() -> None:
    present = ["clinical.outcome", "place.latitude", "person.name", AGE_BAND_FIELD, "place.type"]
    assert not_kept(present, frozenset({DataCategory.ACUTE_RISK})) == [
        "person.name",
        "place.latitude",
        "place.type",
    ]
    assert not_kept(present, frozenset(DataCategory)) == []
    assert not_kept(present, frozenset()) == sorted(set(present) - {AGE_BAND_FIELD})


SUICIDE_RISK_FIELDS = ("clinical.intent", "clinical.suicidal_thoughts")
ALLOWED_SUICIDE_RISK: dict[tuple[ConsentState, Recipient], str | None] = {
    # (consent, recipient) -> the basis the crew's answers are shown on; None: not shown.
    (ConsentState.NOT_ASKED, Recipient.ON_DUTY_HEALTH): "hpl_25",
    (ConsentState.NOT_ASKED, Recipient.TEAM_COOPERATING): "hpl_25",
    (ConsentState.NOT_ASKED, Recipient.TEAM_LEADER): "hpl_25",
    (ConsentState.NOT_ASKED, Recipient.QUALITY_REVIEW): "hpl_26",
    (ConsentState.NOT_ASKED, Recipient.RELATIVES): None,
    (ConsentState.NOT_ASKED, Recipient.POLICE): None,
    (ConsentState.UNABLE, Recipient.ON_DUTY_HEALTH): "hpl_25",
    (ConsentState.UNABLE, Recipient.TEAM_COOPERATING): "hpl_25",
    (ConsentState.CONSENTED, Recipient.ON_DUTY_HEALTH): "consent",
    (ConsentState.CONSENTED, Recipient.TEAM_LEADER): "consent",
    (ConsentState.CONSENTED, Recipient.RELATIVES): None,  # not named by the consent
    (ConsentState.CONSENTED, Recipient.POLICE): None,
    (ConsentState.OBJECTED, Recipient.ON_DUTY_HEALTH): None,
    # The leader sees an objected alert's outcome and age band under the group rule; the
    # suicide-risk answers themselves are never stored on an objected alert (minimised).
    (ConsentState.OBJECTED, Recipient.TEAM_LEADER): "hpl_23_2",
    (ConsentState.OBJECTED, Recipient.QUALITY_REVIEW): None,
}


@pytest.mark.parametrize("path", SUICIDE_RISK_FIELDS)
@pytest.mark.parametrize(("state", "recipient"), list(ALLOWED_SUICIDE_RISK))
def test_the_crews_suicide_risk_answers_are_acute_risk_data(
    path: str, state: ConsentState, recipient: Recipient
) -> None:
    """docs/rules.md, "Suicide risk": whoever goes out must know it; nobody else."""
    assert category_of(path) is DataCategory.ACUTE_RISK
    decision = decide(ConsentContext(state=state), recipient, category_of(path))
    expected = ALLOWED_SUICIDE_RISK[(state, recipient)]
    assert (decision.basis.value if decision.allowed else None) == expected
