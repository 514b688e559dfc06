"""The SMS of a drug warning (pure), in the municipality's written standard (`sms.warning`).

"Rusvarsel fra <kommune>, gjelder til <d.m.>: <the leader's text>" in bokmål, "Rusvarsel frå
<kommune>, gjeld til <d.m.>: ..." in nynorsk (the day as
Norwegians write it, "9.12.": `app.i18n.day_and_month`). The text is the
leader's own, checked for personal data before it gets here; it is made GSM-7 (letters
outside the alphabet are transliterated, as names are in app/notify/texts.py) and must fit
two concatenated segments (306 septets), which the outbox keeps (320 characters). Unlike an
alert's SMS the text is not cut: a warning is sent as approved or not at all.
"""

from __future__ import annotations

from datetime import datetime

from app.i18n import Language, day_and_month, words
from app.notify.gsm7 import septet_length, to_gsm7, truncate_septets

CONCATENATED_SEGMENT = 153
"""Septets of one part of a concatenated SMS (the rest is the header)."""
MAX_SEGMENTS = 2
MAX_SEPTETS = MAX_SEGMENTS * CONCATENATED_SEGMENT
MAX_NAME_SEPTETS = 30
"""The municipality's name is shortened to this many septets."""


class TooLong(ValueError):
    """The SMS would not fit `MAX_SEGMENTS` segments."""

    def __init__(self, septets: int) -> None:
        super().__init__(f"the SMS would be {septets} characters; at most {MAX_SEPTETS}")
        self.septets = septets


def warning_text(
    *, municipality_name: str, expires_at: datetime, text: str, language: Language = "nb"
) -> str:
    """The SMS of a warning in force until `expires_at`; `check_fits` before sending it."""
    if expires_at.tzinfo is None or expires_at.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    name = " ".join(to_gsm7(municipality_name).split())
    body = (
        words(language)
        .gettext("sms.warning")
        .format(
            m=truncate_septets(name, MAX_NAME_SEPTETS).rstrip(" -,."),
            until=day_and_month(expires_at, language),
            text=" ".join(to_gsm7(text).split()),
        )
    )
    return body


def check_fits(body: str) -> None:
    """Raises TooLong when `body` needs more than `MAX_SEGMENTS` segments."""
    length = septet_length(body)
    if length > MAX_SEPTETS:
        raise TooLong(length)
