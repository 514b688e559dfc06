"""Pydantic types for Norwegian values: a mobile, any phone, a national id, a kommunenummer;
and the e-mail address that goes with the phone numbers.

Messages never repeat the value sent: the validators raise without it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from app.norway.national_id import parse_national_id
from app.norway.phone import to_e164, to_norwegian_mobile


def _national_id(value: str) -> str:
    return parse_national_id(value).value


MobileStr = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=40),
    AfterValidator(to_norwegian_mobile),
]
"""A Norwegian mobile number (+47 4xxxxxxx or 9xxxxxxx), answered as E.164."""

PhoneStr = Annotated[str, StringConstraints(max_length=40), AfterValidator(to_e164)]
"""Any valid phone number (Norway as the default region), answered as E.164."""

NationalIdStr = Annotated[str, AfterValidator(_national_id)]
"""A fødselsnummer or D-nummer with valid check digits, answered without spaces."""

MUNICIPALITY_CODE_PATTERN = r"^[0-9]{4}$"
"""A kommunenummer: four ASCII digits. Not `\\d`, which takes any script's digits (`٣١٠٧`)
that no register knows: those are refused, not looked up."""

MunicipalityCode = Annotated[str, StringConstraints(pattern=MUNICIPALITY_CODE_PATTERN)]
"""A kommunenummer in a body: four digits."""

Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    ),
]
"""An e-mail address, answered in lower case (only its shape is checked)."""
