"""Rendering the pages (Jinja2, autoescaped) and the state the web app keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.auth.links.guard import LinkGuard
from app.auth.links.service import token_hash
from app.notify.texts import OSLO
from app.web import i18n
from app.web.security import CSRF_COOKIE, Keys, new_nonce
from app.web.service import LinkPage

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


@dataclass
class WebState:
    guard: LinkGuard
    keys: Keys


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def local(instant: datetime | None, language: str = "nb") -> str:
    """Europe/Oslo wall time, as staff read it."""
    if instant is None:
        return ""
    moment = instant.astimezone(OSLO)
    return f"{moment:%d.%m.%Y %H:%M}" if language != "en" else f"{moment:%d %b %Y %H:%M}"


def clock_time(instant: datetime | None) -> str:
    return instant.astimezone(OSLO).strftime("%H:%M") if instant else ""


def csrf_nonce(request: Request) -> str:
    """The browser's CSRF nonce, or a new one that the response sets as a cookie."""
    nonce = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_nonce", None)
    if not nonce:
        nonce = new_nonce()
    request.state.csrf_nonce = nonce
    return nonce


def message_page(
    request: Request, key: str, *, status: int, language: str = "nb", **values: Any
) -> HTMLResponse:
    """A page with a title and one explanation (errors, dead links)."""
    words = i18n.words(language)
    return templates.TemplateResponse(
        request,
        "message.html",
        {
            "w": words,
            "lang": language,
            "heading": words[key],
            "text": words[key + ".text"].format(**values),
        },
        status_code=status,
    )


def render_link_page(
    request: Request, page: LinkPage, *, token: str, error: str | None = None, status: int = 200
) -> HTMLResponse:
    language = "en" if page.member.language == "en" else "nb"
    words = i18n.words(language)
    csrf = web_state(request).keys.csrf_token(csrf_nonce(request), token_hash(token))
    root = request.scope.get("root_path", "")
    return templates.TemplateResponse(
        request,
        "alert.html",
        {
            "w": words,
            "lang": language,
            "p": page,
            "csrf": csrf,
            "action": f"{root}/{token}",
            "error": error,
            "when": local(page.alert.occurred_at, language),
            "clock": clock_time,
            "fields": _fields(page, words),
        },
        status_code=status,
    )


def _fields(page: LinkPage, words: dict[str, str]) -> list[tuple[str, str]]:
    """The personal data shown, as (label, value), in a fixed order."""
    if page.details is None:
        return []
    rows: list[tuple[str, str]] = []
    for section in ("person", "place", "clinical"):
        values = getattr(page.details, section)
        if values is None:
            continue
        for name, value in values.model_dump(exclude_none=True).items():
            label = words.get(f"{section}.{name}", name)
            rows.append((label, _shown(value, words, coded=f"{section}.{name}" in _CODED)))
    return rows


_CODED = frozenset({"place.type", "person.sex", "clinical.substances", "clinical.outcome"})
"""Fields whose values are codes of the alert's vocabulary, shown in words."""


def _shown(value: object, words: dict[str, str], *, coded: bool) -> str:
    """Yes/no and codes in words; free text as it came."""
    if isinstance(value, bool):
        return words["yes"] if value else words["no"]
    if isinstance(value, list):
        return ", ".join(_shown(v, words, coded=coded) for v in value)
    return words.get(f"value.{value}", str(value)) if coded else str(value)
