"""The words of the staff pages and SMS are gettext catalogs (`app/locale`, `app.i18n`): every
message id the code and the templates use is in every language's catalog, translated; the
catalogs hold the same ids with the same placeholders, and nothing nobody uses."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.frontend import parse_mapping_cfg

from app.drug_warnings.recipients import WarningKind
from app.followup.serious_event import Answer, Question
from app.followup.state import CaseState, StepState
from app.i18n import LANGUAGES, MissingWord, read_catalog, spoken, words
from app.overdose.enums import AlertKind
from app.web.cases import RECORD_ACTIONS
from app.web.warnings import DONE

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "app" / "web" / "templates"

PAGE_KEYWORDS = {"message_page": (2,), "message": (3,), "_message": (2,), "signin_message": (2,)}
"""The page functions of app/web that show the words of `key` and `key.text`, by the position
of `key`, for Babel (`pybabel extract -k message_page:2 -k message:3 -k _message:2
-k signin_message:2`)."""


def ids_of(catalog: Catalog) -> list[str]:
    return [m.id for m in catalog if isinstance(m.id, str) and m.id]


def extracted() -> set[str]:
    """What Babel finds as babel.cfg says: `_`, `gettext`, `N_` in the code and templates."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    found = extract_from_dir(ROOT, method_map, options_map, keywords=DEFAULT_KEYWORDS)
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def message_pages() -> set[str]:
    """The keys the page functions of app/web are called with."""
    keys: set[str] = set()
    for path in sorted((ROOT / "app" / "web").glob("*.py")):
        for _, message, _, _ in extract_from_file("python", path, keywords=PAGE_KEYWORDS):
            if isinstance(message, str):
                keys.add(message)
    return keys


def template_calls(macro: str) -> set[str]:
    """The first argument of every call of a template macro, e.g. `note_form("dismiss", ...)`."""
    pattern = re.compile(rf'\b{macro}\("(\w+)"')
    return {m for path in TEMPLATES.glob("*.html") for m in pattern.findall(path.read_text())}


def built_at_run_time() -> set[str]:
    """The ids templates build from a value (`_("kind." ~ p.alert.kind)`); the details'
    sections, fields and codes are `tests/web/test_page_words.py`'s."""
    acts = template_calls("note_form")
    groups = template_calls("group")
    assert acts == {"dismiss", "review"}
    assert groups == {"drafts", "in_force", "review_due"}
    return {
        *(f"kind.{kind}" for kind in AlertKind),
        *(f"case.state.{state}" for state in CaseState),
        *(f"step.state.{state}" for state in StepState),
        *(f"case.action.{action}" for action in RECORD_ACTIONS),
        *(f"warnings.done.{done}" for done in DONE),
        *(f"warnings.kind.{kind}" for kind in WarningKind),
        *(f"case.asks.{question}" for question in Question),
        *(f"case.answer.{answer}" for answer in Answer),
        *(f"case.notified.{said}" for said in ("yes", "no")),
        *(f"warnings.{act}{part}" for act in acts for part in ("", ".note", ".send")),
        *(f"overview.{group}{part}" for group in groups for part in ("", ".none")),
    }


DETAILS = re.compile(
    r"(value|section|basis|person|place|destination|scene|clinical|naloxone|severity)\."
)
"""The alert details' words, checked both ways by tests/web/test_page_words.py."""


def test_babel_finds_the_ids_of_code_and_templates() -> None:
    found = extracted()
    assert {"take", "warnings.reason.phone", "sms.alert", "sms.reply.help", "sms.signin"} <= found
    assert {"page.not_found", "warnings.forbidden", "link.used"} <= message_pages()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_id_in_use_is_in_the_catalog(language: str) -> None:
    ids = set(ids_of(read_catalog(language)))
    pages = message_pages()
    used = extracted() | pages | {f"{key}.text" for key in pages} | built_at_run_time()
    assert sorted(used - ids) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_holds_nothing_nobody_uses(language: str) -> None:
    pages = message_pages()
    used = extracted() | pages | {f"{key}.text" for key in pages} | built_at_run_time()
    unused = [i for i in ids_of(read_catalog(language)) if i not in used and not DETAILS.match(i)]
    assert unused == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    catalog = read_catalog(language)
    assert catalog.locale is not None and str(catalog.locale) == language
    untranslated = [m.id for m in catalog if m.id and (not m.string or not str(m.string).strip())]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert (untranslated, fuzzy) == ([], [])


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language != "nb"])
def test_the_languages_hold_the_same_ids_with_the_same_placeholders(language: str) -> None:
    nb, other = read_catalog("nb"), read_catalog(language)
    assert ids_of(nb) == ids_of(other)
    differ = [i for i in ids_of(nb) if fields(str(nb[i].string)) != fields(str(other[i].string))]
    assert differ == []


def test_nynorsk_has_every_message_of_bokmal() -> None:
    """A message added to bokmål and forgotten in nynorsk fails here by name (issue 21: every
    SMS text and page exists in nynorsk)."""
    nynorsk = set(ids_of(read_catalog("nn")))
    assert [i for i in ids_of(read_catalog("nb")) if i not in nynorsk] == []
    assert words("nn").language == "nn"
    assert words("nn").gettext("sms.taken_plain") == (
        "Overdosevarselet er teke av ein kollega. Du treng ikkje gjere noko."
    )


def test_a_missing_nynorsk_message_fails_the_check(tmp_path: Path) -> None:
    """The check above can fail: a catalog without one message is caught."""
    catalog = read_catalog("nn")
    del catalog["sms.alert"]
    assert "sms.alert" not in ids_of(catalog)
    assert [i for i in ids_of(read_catalog("nb")) if i not in set(ids_of(catalog))] == ["sms.alert"]


def test_an_id_missing_from_a_catalog_is_a_warning_and_shows_the_id() -> None:
    with pytest.warns(MissingWord, match="no.such.words"):
        assert words("nb").gettext("no.such.words") == "no.such.words"
    assert not words("en").has("no.such.words")
    assert words("en").gettext_or("no.such.words", "raw") == "raw"


def test_anything_but_nynorsk_or_english_is_bokmal() -> None:
    assert words(None).gettext("take") == words("nb").gettext("take") == "Ta varselet"
    assert words("se").language == "nb"
    assert words("nn").gettext("nothing_to_do") == "Du treng ikkje gjere noko."
    assert words("en").gettext("take") == "Take the alert"


@pytest.mark.parametrize(
    ("choice", "standard", "language"),
    [
        (None, None, "nb"),
        (None, "nb", "nb"),
        (None, "nn", "nn"),
        ("nb", "nn", "nb"),
        ("en", "nn", "en"),
        ("nn", "nb", "nn"),
        ("", "nn", "nn"),
        ("se", "nn", "nb"),
    ],
)
def test_a_members_choice_else_the_municipalitys_standard(
    choice: str | None, standard: str | None, language: str
) -> None:
    assert spoken(choice, standard) == language
