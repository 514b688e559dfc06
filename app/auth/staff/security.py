"""Cookies and CSRF of the staff pages; the link pages' `app/web/security.py` builds on the
same keys, nonce and cookies (this package may not import it: `app.web` imports `app.auth`).

* `odv_staff`: the session token. Secure, HttpOnly, SameSite=Strict, scoped to the staff
  pages (the web sub-app's path, `/a`), lasting as long as the session.
* CSRF before sign-in (the sign-in form, a link's confirm button): a random nonce in the
  cookie `odv_staff_csrf` (scoped to `/a/s`) and in the form an HMAC of nonce and purpose; a
  cross-site POST carries no SameSite=Strict cookie and is refused, so nobody can be signed
  in to someone else's session by a forged form.
* CSRF of a signed-in page's form: an HMAC of the session id (`session_csrf`).

Keys are derived from the token-signing secret, so all instances agree.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

from starlette.requests import Request
from starlette.responses import Response

from app.privacy.crypto import same_text

SESSION_COOKIE = "odv_staff"
CSRF_COOKIE = "odv_staff_csrf"
CSRF_FIELD = "csrf"


class CsrfKeys:
    """HMAC keys of one set of pages, derived from one secret with the pages' own salt, and
    the CSRF check of a form: an HMAC of the nonce in the pages' `cookie` and a purpose
    (before sign-in), or of the session id (a signed-in page's form)."""

    def __init__(self, secret: str, *, salt: bytes, cookie: str) -> None:
        self._key = hashlib.sha256(salt + b"\x00" + secret.encode()).digest()
        self._cookie = cookie

    def _mac(self, *parts: str) -> str:
        return hmac.new(self._key, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()

    def csrf_token(self, nonce: str, purpose: str) -> str:
        return self._mac("csrf", nonce, purpose)

    def csrf_ok(self, request: Request, form_token: str, purpose: str) -> bool:
        nonce = request.cookies.get(self._cookie, "")
        return bool(nonce) and same_text(self.csrf_token(nonce, purpose), form_token or "")

    def session_csrf(self, session_id: uuid.UUID) -> str:
        return self._mac("session", str(session_id))

    def session_csrf_ok(self, session_id: uuid.UUID, form_token: str) -> bool:
        return same_text(self.session_csrf(session_id), form_token or "")


class PageKeys(CsrfKeys):
    def __init__(self, secret: str) -> None:
        super().__init__(secret, salt=b"odvarsel-staff-pages", cookie=CSRF_COOKIE)


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def csrf_nonce(request: Request, cookie: str) -> str:
    """The browser's CSRF nonce in `cookie`, or a new one that `set_new_nonce` sets."""
    nonce = request.cookies.get(cookie) or getattr(request.state, "csrf_nonce", None)
    if not nonce:
        nonce = new_nonce()
    request.state.csrf_nonce = nonce
    return nonce


def set_new_nonce(
    request: Request, response: Response, cookie: str, *, path: str, max_age: int
) -> None:
    """Set the nonce `csrf_nonce` made for this request, unless the browser had one."""
    nonce = getattr(request.state, "csrf_nonce", None)
    if nonce and not request.cookies.get(cookie):
        set_cookie(response, cookie, nonce, path=path, max_age=max_age)


def set_cookie(response: Response, name: str, value: str, *, path: str, max_age: int) -> None:
    response.set_cookie(
        name, value, path=path, max_age=max_age, secure=True, httponly=True, samesite="strict"
    )


def clear_cookie(response: Response, name: str, *, path: str) -> None:
    response.delete_cookie(name, path=path, secure=True, httponly=True, samesite="strict")


def pages_root(request: Request) -> str:
    """The public path of the app serving the request (`/a` for the staff pages)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def session_cookie_path(request: Request) -> str:
    return pages_root(request) or "/"
