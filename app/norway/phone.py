"""Phone numbers to E.164 with `phonenumbers` (Norway as the default region)."""

from __future__ import annotations

import phonenumbers


class InvalidPhoneNumber(ValueError):
    """The reason never contains the number itself."""


def to_e164(raw: str, *, default_region: str = "NO") -> str:
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
