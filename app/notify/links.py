"""The one place that knows what an SMS link looks like: `<public base URL>/a/<token>`.

The token is random and opaque (it says nothing of the alert, whose id the dispatcher gets
back in `Location`). Each SMS to a staff member carries a token of its own, bound to that
member and alert and stored only hashed (`app.auth.links`). The texts give a link at most
`texts.MAX_LINK_SEPTETS`, so the base URL is limited to what is left.
"""

from __future__ import annotations

import secrets
import string
from typing import TYPE_CHECKING

from app.notify.texts import MAX_LINK_SEPTETS

if TYPE_CHECKING:
    from app.config import Settings

PATH = "/a/"
TOKEN_LENGTH = 12
"""Letters and digits only: 71 bits, and nothing a phone's link detection might cut off."""
MAX_BASE_URL_LENGTH = MAX_LINK_SEPTETS - len(PATH) - TOKEN_LENGTH
"""33: scheme and host of the public base URL (checked when the settings are read, by
`base_url_problems`)."""

_ALPHABET = string.ascii_letters + string.digits


def new_token(length: int = TOKEN_LENGTH) -> str:
    """A new link token of `length` letters and digits (the staff sign-in links' are longer)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def is_token(value: str, length: int = TOKEN_LENGTH) -> bool:
    """Whether `value` has the form of a link token (not whether one was issued)."""
    return len(value) == length and value.isascii() and value.isalnum()


def sms_link(
    public_base_url: str, token: str, *, path: str = PATH, length: int = TOKEN_LENGTH
) -> str:
    """The link sent by SMS for `token`, at `path` (under `PATH`)."""
    if not is_token(token, length):
        raise ValueError("not a link token")  # never repeats the token
    return f"{public_base_url.rstrip('/')}{path}{token}"


def base_url_problems(settings: Settings) -> list[str]:
    """HTTP__PUBLIC_BASE_URL must leave room for the path and token in one SMS segment; the
    settings get this check from the entry points (`app.settings_checks`)."""
    if len(settings.http.public_base_url) > MAX_BASE_URL_LENGTH:
        return [
            f"HTTP__PUBLIC_BASE_URL: String should have at most {MAX_BASE_URL_LENGTH} characters"
        ]
    return []
