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

from collections.abc import Mapping

from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from app.auth.staff.security import CsrfKeys
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
    """Adds `headers` (`HEADERS`) to every HTTP answer of the wrapped app, error pages
    included."""

    headers: Mapping[str, str] = HEADERS

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.decode("latin-1").lower() not in self.headers
                ]
                headers += [(k.encode(), v.encode()) for k, v in self.headers.items()]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class Keys(CsrfKeys):
    """HMAC keys of the link pages, derived from one secret; a form's purpose is its link."""

    def __init__(self, secret: str) -> None:
        super().__init__(secret, salt=b"odvarsel-web-pages", cookie=CSRF_COOKIE)

    def holder(self, link_key: str) -> str:
        return self._mac("holder", link_key)

    def taker(self, link_key: str) -> str:
        return self._mac("taker", link_key)

    def has(self, request: Request, cookie: str, expected: str) -> bool:
        return same_text(expected, request.cookies.get(cookie, ""))
