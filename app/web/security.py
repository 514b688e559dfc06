"""Security of the staff pages: headers on every answer, CSRF tokens, and link cookies.

* Headers: a CSP without any inline script (the pages have no script at all), no referrer
  (the token in the URL never leaves), no caching, no framing, no sniffing, no indexing.
* CSRF: a random nonce in a cookie, and in each form an HMAC of nonce and link; a POST
  whose two do not match is refused. Both cookies below are scoped to the link's own path.
* `odv_holder` is set when a valid link is opened: it exempts the holder's browser from the
  guessing limit of its address. `odv_taker` is set by the POST that takes the alert (or
  asks for the details): only a browser holding it is shown personal data on GET, so a link
  scanner that opens the link later sees nothing and writes nothing in the access log.
Cookies are Secure, HttpOnly and SameSite=Strict. Keys are derived from the token-signing
secret, so all instances agree without another setting.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from app.middleware import HttpMiddleware
from app.privacy.crypto import same_text

CSRF_COOKIE = "odv_csrf"
HOLDER_COOKIE = "odv_holder"
TAKER_COOKIE = "odv_taker"
CSRF_FIELD = "csrf"

HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "x-robots-tag": "noindex, nofollow",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeaders(HttpMiddleware):
    """Adds `HEADERS` to every HTTP answer of the wrapped app, error pages included."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.decode("latin-1").lower() not in HEADERS
                ]
                headers += [(k.encode(), v.encode()) for k, v in HEADERS.items()]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class Keys:
    """HMAC keys of the pages, derived from one secret."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"odvarsel-web-pages\x00" + secret.encode()).digest()

    def _mac(self, *parts: str) -> str:
        return hmac.new(self._key, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()

    def csrf_token(self, nonce: str, link_key: str) -> str:
        return self._mac("csrf", nonce, link_key)

    def csrf_ok(self, request: Request, form_token: str, link_key: str) -> bool:
        nonce = request.cookies.get(CSRF_COOKIE, "")
        return bool(nonce) and same_text(self.csrf_token(nonce, link_key), form_token or "")

    def holder(self, link_key: str) -> str:
        return self._mac("holder", link_key)

    def taker(self, link_key: str) -> str:
        return self._mac("taker", link_key)

    def has(self, request: Request, cookie: str, expected: str) -> bool:
        return same_text(expected, request.cookies.get(cookie, ""))


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def set_cookie(response: Response, name: str, value: str, *, path: str, max_age: int) -> None:
    response.set_cookie(
        name, value, path=path, max_age=max_age, secure=True, httponly=True, samesite="strict"
    )
