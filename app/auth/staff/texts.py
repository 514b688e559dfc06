"""The sign-in SMS (`sms.signin` of `app.i18n`): GSM-7, one segment, in the member's language;
nothing but the link."""

from __future__ import annotations

from app.i18n import words
from app.notify.gsm7 import SINGLE_SEGMENT, is_gsm7, septet_length
from app.notify.texts import Language


def signin_text(*, link: str, minutes: int, language: Language) -> str:
    body = words(language).gettext("sms.signin").format(link=link, n=minutes)
    if not is_gsm7(body) or septet_length(body) > SINGLE_SEGMENT:
        raise ValueError("the sign-in text does not fit one GSM-7 segment")
    return body
