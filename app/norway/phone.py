"""Phone numbers to E.164 with `phonenumbers` (Norway as the default region) (pure).

Only digits, spaces and the punctuation people write numbers with are accepted. Letters are
refused: `phonenumbers` would read them as keypad digits (`4123abcd` as +4741232223) and
extensions ("ext 12", "x12"), which no SMS can reach.
"""

from __future__ import annotations

import re

import phonenumbers

# Digits (ASCII only: no other scripts' digits), a leading plus, spaces and separators.
_PHONE_CHARACTERS = re.compile(r"[0-9+ ()./\-]*")


class InvalidPhoneNumber(ValueError):
    """The reason never contains the number itself."""


def to_e164(raw: str, *, default_region: str = "NO") -> str:
    if not _PHONE_CHARACTERS.fullmatch(raw):
        raise InvalidPhoneNumber("not a phone number")
    try:
        parsed = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber("not a phone number") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber("not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def to_norwegian_mobile(raw: str) -> str:
    """E.164 of a Norwegian mobile number (+47 and 8 digits starting with 4 or 9)."""
    number = to_e164(raw)
    if not (number.startswith("+47") and len(number) == 11 and number[3] in "49"):
        raise InvalidPhoneNumber("not a Norwegian mobile number (+47 4xxxxxxx or 9xxxxxxx)")
    return number
