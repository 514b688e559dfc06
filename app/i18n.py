"""The words of the staff pages and the SMS: gettext catalogs, one per language, in
`app/locale/<language>/LC_MESSAGES/messages.po` (bokmål `nb`, nynorsk `nn`, English `en`), the
files translators' tools (Poedit, Weblate, `pybabel`) read and write.

Decisions, so that a translator edits one file and the pages and SMS read as before:

* Message ids are symbolic (`take`, `warnings.reason.phone`, `sms.alert`), not the text of one
  language: bokmål, nynorsk and English are all translations of the id, so changing a word in one
  leaves the id, the code and the other language alone. SMS ids begin with `sms.`.
* Placeholders are `{name}`, filled with `str.format` after the lookup by the code or the
  template; in a template the filled word is escaped like any other value (the i18n extension
  installed old-style), so pages render the same bytes as before. They are not flagged
  python-brace-format: tools would check them against the symbolic id; the tests check that
  every language uses the same ones.
* The `.po` files are the only copy. They are compiled in memory (Babel) when a language is
  first read, so no binary `.mo` is committed or built, and whatever ships `app/` (the Docker
  image, `pip install -e .`, the wheel's package data) ships the words.
* Anything but "nn" or "en" gets bokmål: an unknown language setting must never stop a page or
  an SMS.
* Whose language: a member's own choice (`member.language`: nb, nn or en), else their
  municipality's written standard (`municipality.written_standard`: nb or nn), else bokmål
  (`spoken`). SMS to someone who is nobody's member (the fallback number, the fatal contact, a
  warning's contacts, the crew's call-back number) are in the municipality's standard.
* An id missing from a catalog shows as the id, with a `MissingWord` warning (an error under
  the tests' `-W error`); `tests/test_catalogs.py` checks that every id the code and the
  templates use is in every catalog, translated. `babel.cfg` at the top says where the ids are:
  `pybabel extract -F babel.cfg -o messages.pot .` lists them.
* Times, dates and decimal numbers are written as each language writes them (the functions
  at the end: `clock`, `day`, `day_and_month`, `moment`, `short_moment`,
  `decimal`; docs/rules.md, "Norwegian
  notation"): bokmål and nynorsk "kl. 05.47", "06.12.2026", "6. desember 2026", "59,9139"; English
  "05:47", "6 Dec 2026", "59.9139". Dates and numbers are Babel's (CLDR); the time of day is
  not, see `clock`.
"""

from __future__ import annotations

import gettext
import warnings
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import jinja2
from babel.dates import format_date, format_skeleton
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from fastapi.templating import Jinja2Templates

LOCALE_DIR = Path(__file__).parent / "locale"
OSLO = ZoneInfo("Europe/Oslo")
"""Times are stored in UTC and shown in Oslo wall time."""
DOMAIN = "messages"
Language = Literal["nb", "nn", "en"]
"""Bokmål, nynorsk, English: the languages of the catalogs."""
LANGUAGES: tuple[Language, ...] = ("nb", "nn", "en")
"""Bokmål first: the language of anyone without a setting."""
WRITTEN_STANDARDS = ("nb", "nn")
"""A municipality's written standard (målform): bokmål or nynorsk."""


class MissingWord(UserWarning):
    """A message id that the language's catalog lacks (a page or SMS shows the id)."""


class _Missing(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        warnings.warn(MissingWord(f"no words for {message!r}"), stacklevel=2)
        return message


class Words(gettext.GNUTranslations):
    """One language's compiled catalog: `gettext` as ever, and the two lookups of an id made
    at run time (a code from the database, a `?done=` of the URL) that may have no words."""

    _catalog: dict[Any, str]
    language: str

    def has(self, message_id: str) -> bool:
        return message_id in self._catalog

    def heading_and_text(self, message_id: str, **values: object) -> tuple[str, str]:
        """A message page's words: those of `message_id`, and of `<message_id>.text` filled
        with `values`."""
        text_id = f"{message_id}.text"
        return self.gettext(message_id), self.gettext(text_id).format(**values)

    def gettext_or(self, message_id: str, default: str) -> str:
        """The words of `message_id`, or `default` (a raw code is better than an id)."""
        return self._catalog.get(message_id, default)


def N_(message_id: str) -> str:
    """Marks an id looked up later (a table of reasons) for the extractors, as gettext's `N_`."""
    return message_id


def language_of(setting: str | None) -> Language:
    return "nn" if setting == "nn" else "en" if setting == "en" else "nb"


def spoken(choice: str | None, standard: str | None) -> Language:
    """The language of a member's SMS and pages: their own `choice`, else their municipality's
    written `standard`, else bokmål."""
    return language_of(choice if choice else standard)


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(language: str) -> Catalog:
    with catalog_path(language).open("rb") as po:
        return read_po(po, locale=language, domain=DOMAIN)


@cache
def _compiled(language: str) -> Words:
    compiled = BytesIO()
    write_mo(compiled, read_catalog(language))  # leaves out fuzzy entries, as msgfmt does
    compiled.seek(0)
    words = Words(compiled)
    words.language = language
    words.add_fallback(_Missing())
    return words


def words(language: str | None) -> Words:
    """The catalog of a member's language setting."""
    return _compiled(language_of(language))


def page_templates(directory: Path) -> dict[str, Jinja2Templates]:
    """The templates of `directory`, autoescaped, one set per language with its words
    installed: `_("id")` (and `gettext`), `gettext_or(id, default)`, `has_word(id)`."""
    by_language: dict[str, Jinja2Templates] = {}
    for language in LANGUAGES:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(directory),
            autoescape=True,
            extensions=["jinja2.ext.i18n"],
        )
        language_words = words(language)
        env.install_gettext_translations(language_words, newstyle=False)  # type: ignore[attr-defined]
        env.globals.update(gettext_or=language_words.gettext_or, has_word=language_words.has)
        by_language[language] = Jinja2Templates(env=env)
    return by_language


# --- Notation: times, dates and numbers as each language writes them ---------------------

_BABEL_LOCALES = {"nb": "nb_NO", "nn": "nn_NO", "en": "en_GB"}
"""Babel's locale per language: English dates are written day first ("6 Dec 2026")."""
_CLOCK_SEPARATOR = {"nb": ".", "nn": ".", "en": ":"}


def _locale(language: str | None) -> str:
    return _BABEL_LOCALES[language_of(language)]


def _oslo(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    return instant.astimezone(OSLO)


def clock(instant: datetime, language: str | None = "nb") -> str:
    """The Oslo time of day of `instant`: "05.47" in bokmål and nynorsk, "05:47" in English.

    Written here, not by Babel: Babel's bokmål pattern (CLDR's `HH:mm`) gives "05:47", but
    Norwegian writes hours and minutes with a full stop, "kl. 05.47" (Språkrådet's rules on
    klokkeslett: punktum mellom time og minutt; the colon is the English and ISO usage).
    The "kl." belongs to the sentence: the catalogs' words say it, or `short_moment` and
    `moment` do.
    """
    local = _oslo(instant)
    return f"{local:%H}{_CLOCK_SEPARATOR[language_of(language)]}{local:%M}"


def day(value: date | datetime, language: str | None = "nb", *, long: bool = False) -> str:
    """A date as the language writes it (Babel): "06.12.2026" or, `long`, "6. desember 2026"
    in bokmål; "6 Dec 2026" or "6 December 2026" in English. An instant is taken in Oslo."""
    if isinstance(value, datetime):
        value = _oslo(value).date()
    return format_date(
        value,
        "long" if long else "medium" if language == "en" else "short",
        locale=_locale(language),
    )


def moment(instant: datetime, language: str | None = "nb") -> str:
    """Date and Oslo time on a page: "06.12.2026 kl. 05.47" (bokmål), "6 Dec 2026 05:47"."""
    if language_of(language) == "en":
        return f"{day(instant, language)} {clock(instant, language)}"
    return f"{day(instant, language)} kl. {clock(instant, language)}"


def day_and_month(instant: datetime, language: str | None = "nb") -> str:
    """The Oslo day and month, without the year (Babel): "6.12." (bokmål), "6 Dec"."""
    skeleton = "dMMM" if language_of(language) == "en" else "dM"
    return format_skeleton(skeleton, _oslo(instant), locale=_locale(language))


def short_moment(instant: datetime, language: str | None = "nb") -> str:
    """Day, month and Oslo time without the year, for an SMS: "6.12. kl. 05.47" (bokmål,
    Babel's day and month), "6 Dec 05:47" (English)."""
    if language_of(language) == "en":
        return f"{day_and_month(instant, 'en')} {clock(instant, 'en')}"
    return f"{day_and_month(instant, language)} kl. {clock(instant, language)}"


def decimal(value: float, language: str | None = "nb") -> str:
    """A decimal number as the language writes it (Babel), up to six decimals and no
    grouping: "59,9139" and "0,5" in bokmål, "59.9139" in English; "6" for a whole number."""
    return format_decimal(value, format="0.######", locale=_locale(language))


def month_name(year: int, month: int, language: str | None = "nb", *, short: bool = False) -> str:
    """A month as the language names it (Babel): "november 2026" or, `short`, "nov." in
    bokmål; "November 2026" or "Nov" in English."""
    first = date(year, month, 1)
    if short:
        return format_date(first, "LLL", locale=_locale(language))
    return format_date(first, "LLLL y", locale=_locale(language))
