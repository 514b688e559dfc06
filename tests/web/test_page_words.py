"""The details on the staff page have words, in bokmål and English, for every field of every
section of `details.SECTIONS` and for every code of every coded field; nothing stale."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, get_args

import pytest

from app.alerts.details import SECTIONS, AlertDetails
from app.consent.rules import LegalBasis
from app.i18n import LANGUAGES, read_catalog, words
from app.web.pages import _CODED, fields_of


def vocabulary_of(annotation: object) -> type[StrEnum] | None:
    """The enum a field's values come from, wherever it sits in the annotation."""
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        return annotation
    found = {v for a in get_args(annotation) if (v := vocabulary_of(a)) is not None}
    assert len(found) <= 1, f"{annotation}: one vocabulary per field"
    return found.pop() if found else None


FIELDS = {
    f"{section}.{name}": field.annotation
    for section, model in SECTIONS.items()
    for name, field in model.model_fields.items()
}
CODED = {path: v for path, a in FIELDS.items() if (v := vocabulary_of(a)) is not None}


def test_the_coded_fields_are_found_and_the_page_knows_them_all() -> None:
    # The vocabularies of version 2: a section that loses its codes would show raw values.
    assert {"place.type", "destination.type", "clinical.substances", "naloxone.route"} <= set(CODED)
    assert dict(_CODED) == CODED


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_section_and_field_has_a_label(language: str) -> None:
    catalog = words(language)
    missing = [f"section.{s}" for s in SECTIONS if not catalog.has(f"section.{s}")]
    missing += [path for path in FIELDS if not catalog.has(path)]
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_code_of_every_coded_field_has_words(language: str) -> None:
    catalog = words(language)
    missing = [
        f"value.{path}.{code.value}"
        for path, vocabulary in CODED.items()
        for code in vocabulary
        if not catalog.gettext_or(f"value.{path}.{code.value}", "").strip()
    ]
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_words_for_fields_or_codes_that_no_longer_exist(language: str) -> None:
    ids = [m.id for m in read_catalog(language) if isinstance(m.id, str) and m.id]
    codes = {f"value.{path}.{code.value}" for path, v in CODED.items() for code in v}
    stale = [key for key in ids if key.startswith("value.") and key not in codes]
    stale += [key for key in ids if key.split(".", 1)[0] in SECTIONS and key not in FIELDS]
    stale += [key for key in ids if key.startswith("section.") and key[8:] not in SECTIONS]
    assert stale == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_legal_basis_of_the_rules_has_its_sentence(language: str) -> None:
    catalog = words(language)
    bases = [b for b in LegalBasis if b is not LegalBasis.NONE]
    assert {"consent", "hpl_25", "hpl_26", "hpl_23_2"} <= {b.value for b in bases}
    assert [b.value for b in bases if not catalog.gettext_or(f"basis.{b.value}", "")] == []


def details_with(path: str, value: Any) -> AlertDetails:
    section, _, name = path.partition(".")
    return AlertDetails.model_validate(
        {
            "id": "0b9f6a52-8a3c-4a7e-9d51-2f0c2b4e7d10",
            "municipality": "3107",
            "kind": "non_fatal",
            "occurred_at": "2026-11-22T22:41:00Z",
            "received_at": "2026-11-22T22:41:03Z",
            "status": "acknowledged",
            "consent_state": "not_asked",
            "reporter": None,
            section: {name: value},
            "disclosed_categories": [],
            "legal_basis": "hpl_25",
            "inform_person_required": True,
        }
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", sorted(CODED))
def test_the_page_shows_every_code_in_words(path: str, language: str) -> None:
    catalog = words(language)
    section = path.partition(".")[0]
    listed = "list" in str(FIELDS[path])
    for code in CODED[path]:
        value: Any = [code.value] if listed else code.value
        [(heading, rows)] = fields_of(details_with(path, value), catalog)
        assert heading == catalog.gettext(f"section.{section}")
        assert rows == [(catalog.gettext(path), catalog.gettext(f"value.{path}.{code.value}"))]


def test_the_last_naloxone_dose_is_shown_in_oslo_time() -> None:
    last = datetime(2026, 7, 1, 21, 5, tzinfo=UTC)  # summer time: 23:05 in Oslo
    details = details_with("naloxone.last_dose_at", last.isoformat())
    assert fields_of(details, words("nb")) == [
        ("Nalokson", [("Siste dose nalokson", "01.07.2026 kl. 23.05")])
    ]
    assert fields_of(details, words("en")) == [
        ("Naloxone", [("Last naloxone dose", "1 Jul 2026 23:05")])
    ]


def test_sections_are_shown_in_the_order_of_sections() -> None:
    body: dict[str, Any] = {
        "severity": {"cpr_given": False},
        "person": {"age_band": "16_17"},
        "naloxone": {"doses": 3},
        "destination": {"type": "low_threshold", "name": "Stasjonen"},
        "place": {"type": "low_threshold"},
    }
    details = details_with("scene.others_present", True).model_copy(
        update={name: SECTIONS[name].model_validate(v) for name, v in body.items()}
    )
    shown = fields_of(details, words("nb"))
    assert shown == [
        ("Personen", [("Aldersgruppe", "16–17 år")]),
        ("Hvor det skjedde", [("Type sted", "lavterskeltilbud / sprøyterom")]),
        (
            "Etter hendelsen",
            [
                ("Hvor personen er nå", "kommunalt lavterskeltilbud eller akuttovernatting"),
                ("Navn på stedet", "Stasjonen"),
            ],
        ),
        ("På stedet", [("Andre til stede", "ja")]),
        ("Nalokson", [("Doser nalokson", "3")]),
        ("Alvorlighet", [("HLR gitt", "nei")]),
    ]
