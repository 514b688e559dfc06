"""The sign-in SMS (pure): GSM-7, one segment, in the member's language; nothing but the link."""

from __future__ import annotations

from app.notify.gsm7 import SINGLE_SEGMENT, is_gsm7, septet_length
from app.notify.texts import Language

_TEXTS: dict[Language, str] = {
    "nb": "Innlogging i Overdosevarsel: {link} Lenken virker i {n} min, én gang. "
    "Ba du ikke om den? Se bort fra SMS-en.",
    "en": "Sign-in to Overdose alert: {link} The link works for {n} min, once. "
    "Did not ask for it? Ignore this SMS.",
}


def signin_text(*, link: str, minutes: int, language: Language) -> str:
    body = _TEXTS[language].format(link=link, n=minutes)
    if not is_gsm7(body) or septet_length(body) > SINGLE_SEGMENT:
        raise ValueError("the sign-in text does not fit one GSM-7 segment")
    return body
