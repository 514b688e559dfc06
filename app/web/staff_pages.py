"""What the signed-in staff pages share: rendering in the member's language, the way to
sign-in, the pages that refuse, and the gate in front of every POST (session, CSRF, leader)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.auth.staff.deps import session_csrf_ok
from app.auth.staff.identity import StaffIdentity
from app.i18n import Words, language_of, words
from app.state import AppState
from app.web.pages import local, templates
from app.web.signin import signin_url


def language(staff: StaffIdentity) -> str:
    return language_of(staff.language)


def words_of(staff: StaffIdentity) -> Words:
    """The member's words, for what the code says (a refusal's reason, a heading)."""
    return words(staff.language)


def root(request: Request) -> str:
    """Where the web sub-app is mounted (`/a`), for links and form actions."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def render(
    request: Request, template: str, staff: StaffIdentity, *, status: int = 200, **values: Any
) -> HTMLResponse:
    """A staff page in the member's words (`_("id")`), with `lang`, `staff`, `when` (Oslo
    time) and `root`."""
    lang = language(staff)
    return templates[lang].TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "staff": staff,
            "when": lambda instant: local(instant, lang),
            "root": root(request),
            **values,
        },
        status_code=status,
    )


def to_signin(request: Request) -> Response:
    return RedirectResponse(signin_url(request), status_code=303)


def message(
    request: Request, staff: StaffIdentity, key: str, *, status: int, **values: Any
) -> HTMLResponse:
    """A page with a heading, one explanation and the way back to the cases."""
    heading, text = words_of(staff).heading_and_text(key, **values)
    return render(
        request, "warnings_message.html", staff, status=status, heading=heading, text=text
    )


def not_found(request: Request, staff: StaffIdentity) -> HTMLResponse:
    return message(request, staff, "warnings.not_found", status=404)


def leader_only(request: Request, staff: StaffIdentity) -> HTMLResponse:
    return message(request, staff, "warnings.leader_only", status=403)


def refused(request: Request, staff: StaffIdentity, reason: str, status: int) -> HTMLResponse:
    return message(request, staff, "warnings.refused", status=status, reason=reason)


def gate(
    request: Request, state: AppState, staff: StaffIdentity | None, csrf: str, *, leader: bool
) -> Response | None:
    """The answer instead of acting: sign in, an expired form, not the leader; else None."""
    if staff is None:
        return to_signin(request)
    if not session_csrf_ok(state, staff, csrf):
        return message(request, staff, "warnings.forbidden", status=403)
    if leader and not staff.is_leader:
        return leader_only(request, staff)
    return None


def uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None
