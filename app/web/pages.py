"""Rendering the pages (Jinja2, autoescaped) and the state the web app keeps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, get_args

from fastapi import Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from app.alerts.details import SECTIONS, AlertDetails
from app.auth.links.service import token_hash
from app.auth.staff.security import csrf_nonce
from app.consent.enums import ConsentState
from app.i18n import Words, clock, decimal, language_of, moment, page_templates, words
from app.overdose.enums import Intent, SuicidalThoughts
from app.triage.rules import SUICIDE_RISK_REASONS
from app.web.security import CSRF_COOKIE, Keys
from app.web.service import LinkPage

templates = page_templates(Path(__file__).parent / "templates")
"""The staff pages' templates by language (`app.i18n`: `_("id")` in a template)."""


@dataclass
class WebState:
    keys: Keys


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def local(instant: datetime | None, language: str = "nb") -> str:
    """Europe/Oslo date and time as staff read it: "06.12.2026 kl. 05.47", "6 Dec 2026 05:47"
    (`app.i18n.moment`)."""
    return moment(instant, language) if instant is not None else ""


def clock_time(instant: datetime | None, language: str = "nb") -> str:
    """Europe/Oslo time of day: "05.47" (bokmål; the words say "kl."), "05:47" (English)."""
    return clock(instant, language) if instant is not None else ""


def message_page(
    request: Request, key: str, *, status: int, language: str = "nb", **values: Any
) -> HTMLResponse:
    """A page with a title and one explanation (errors, dead links): the words of `key` and
    `key.text`."""
    language = language_of(language)
    heading, text = words(language).heading_and_text(key, **values)
    return templates[language].TemplateResponse(
        request,
        "message.html",
        {"lang": language, "heading": heading, "text": text},
        status_code=status,
    )


def render_link_page(
    request: Request, page: LinkPage, *, token: str, error: str | None = None, status: int = 200
) -> HTMLResponse:
    language = page.language
    csrf = web_state(request).keys.csrf_token(csrf_nonce(request, CSRF_COOKIE), token_hash(token))
    root = request.scope.get("root_path", "")
    return templates[language].TemplateResponse(
        request,
        "alert.html",
        {
            "lang": language,
            "p": page,
            "csrf": csrf,
            "action": f"{root}/{token}",
            "error": error,
            "when": local(_occurred_at(page), language),
            "clock": lambda instant: clock_time(instant, language),
            "fields": fields_of(page.details, words(language)),
            "suicide_risk": suicide_risk_shown(page),
        },
        status_code=status,
    )


def suicide_risk_shown(page: LinkPage) -> bool:
    """Whether the link page shows the suicide-risk banner: triage paged for it, or the
    details shown say so (a supplement after the alert was taken; docs/rules.md)."""
    if page.alert.triage_reason in SUICIDE_RISK_REASONS:
        return True
    clinical = page.details.clinical if page.details is not None else None
    return clinical is not None and (
        clinical.intent is Intent.SUICIDAL or clinical.suicidal_thoughts is SuicidalThoughts.YES
    )


def _occurred_at(page: LinkPage) -> datetime:
    """The time the page shows: an anonymous alert's only to the hour (hpl § 23 nr. 2)."""
    if page.details is not None:
        return page.details.occurred_at  # rounded by the disclosure on an anonymous alert
    if page.alert.consent_state == ConsentState.OBJECTED:
        return page.alert.occurred_at.replace(minute=0, second=0, microsecond=0)
    return page.alert.occurred_at


Rows = list[tuple[str, str]]


def fields_of(details: AlertDetails | None, words: Words) -> list[tuple[str, Rows]]:
    """The personal data shown: per section of `SECTIONS`, in its order, a heading and the
    (label, value) rows of the fields reported and allowed; sections without any are left out."""
    if details is None:
        return []
    shown: list[tuple[str, Rows]] = []
    for section in SECTIONS:
        values: BaseModel | None = getattr(details, section)
        if values is None:
            continue
        rows: Rows = []
        for name in type(values).model_fields:
            value = getattr(values, name)
            if value is None:
                continue
            path = f"{section}.{name}"
            rows.append((words.gettext_or(path, name), _shown(value, words, path)))
        if rows:
            shown.append((words.gettext_or(f"section.{section}", section), rows))
    return shown


def _enum_in(annotation: object) -> type[StrEnum] | None:
    """The vocabulary a field's values come from (`Substance` in `list[Substance] | None`)."""
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        return annotation
    for argument in get_args(annotation):
        found = _enum_in(argument)
        if found is not None:
            return found
    return None


_CODED: Mapping[str, type[StrEnum]] = MappingProxyType(
    {
        f"{section}.{name}": vocabulary
        for section, model in SECTIONS.items()
        for name, field in model.model_fields.items()
        if (vocabulary := _enum_in(field.annotation)) is not None
    }
)
"""Fields whose values are codes of the alert's vocabulary, shown in words: the words of
`value` at `path` are `value.<path>.<value>` (`value.destination.type.low_threshold`), since
one code can mean different things in different fields."""


def _shown(value: object, words: Words, path: str) -> str:
    """Yes/no, times in Oslo time, decimals (coordinates) with the language's decimal sign
    ("59,9139" in bokmål) and codes in words; free text and whole numbers as they came."""
    if isinstance(value, bool):
        return words.gettext("yes") if value else words.gettext("no")
    if isinstance(value, datetime):
        return local(value, words.language)
    if isinstance(value, float):
        return decimal(value, words.language)
    if isinstance(value, list):
        return ", ".join(_shown(v, words, path) for v in value)
    if path in _CODED:
        code = value.value if isinstance(value, StrEnum) else str(value)
        return words.gettext_or(f"value.{path}.{code}", code)
    return str(value)
