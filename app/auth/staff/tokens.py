"""Sign-in link and session tokens, and the one place that knows what a sign-in link looks
like: `<public base URL>/a/s/<token>` (the staff pages, `app.web.signin`, under the web sub-app).

Both kinds are random and stored only as SHA-256. A link token is 16 letters and digits (95
bits, nothing a phone's link detection might cut off); a session token is `ods_` and 43
urlsafe characters (256 bits), so it is never mistaken for a client's JWT.
"""

from __future__ import annotations

import hashlib
import secrets

from app.notify import links as alert_links

PAGES_PREFIX = "s"
"""The staff pages' prefix inside the web sub-app (mounted at `alert_links.PATH`, `/a/`)."""
LINK_PATH = f"{alert_links.PATH}{PAGES_PREFIX}/"
LINK_TOKEN_LENGTH = 16
SESSION_TOKEN_PREFIX = "ods_"
_SESSION_TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_link_token() -> str:
    return alert_links.new_token(LINK_TOKEN_LENGTH)


def is_link_token(value: str) -> bool:
    """Whether `value` has the form of a sign-in link token (not whether one was issued)."""
    return alert_links.is_token(value, LINK_TOKEN_LENGTH)


def signin_link(public_base_url: str, token: str) -> str:
    """The link sent by SMS for `token`: an alert link's form, longer, under the staff pages."""
    return alert_links.sms_link(public_base_url, token, path=LINK_PATH, length=LINK_TOKEN_LENGTH)


def new_session_token() -> str:
    return SESSION_TOKEN_PREFIX + secrets.token_urlsafe(_SESSION_TOKEN_BYTES)


def is_session_token(value: str) -> bool:
    """Whether `value` has the form of a staff session token (a bearer token that is no JWT)."""
    body = value.removeprefix(SESSION_TOKEN_PREFIX)
    return (
        value.startswith(SESSION_TOKEN_PREFIX)
        and len(body) == 43
        and body.isascii()
        and all(c.isalnum() or c in "-_" for c in body)
    )
