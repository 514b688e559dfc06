"""Fødselsnummer and D-nummer validation (pure).

Eleven digits: DDMMYY, a three-digit individual number, two mod-11 check digits.
A D-nummer adds 4 to the first digit. From 2032 the first check digit may leave a
remainder of 0-3 instead of only 0 (Skatteetaten's new number series); numbers of both
series are accepted at any date, because a validator that changes behaviour on a
calendar day breaks on that day. H-numbers and synthetic test numbers are not accepted.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

WEIGHTS_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
WEIGHTS_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
ACCEPTED_K1_REMAINDERS = frozenset({0, 1, 2, 3})


class NationalIdKind(StrEnum):
    FODSELSNUMMER = "fodselsnummer"
    D_NUMMER = "d_nummer"


class InvalidNationalId(ValueError):
    """The reason never contains the number itself."""


@dataclass(frozen=True)
class NationalId:
    value: str
    kind: NationalIdKind


def parse_national_id(raw: str) -> NationalId:
    """Validate a fødselsnummer or D-nummer; spaces are ignored. Raises InvalidNationalId."""
    digits = raw.replace(" ", "")
    if len(digits) != 11 or not digits.isascii() or not digits.isdigit():
        raise InvalidNationalId("must be 11 digits")
    numbers = [int(c) for c in digits]
    if sum(w * d for w, d in zip(WEIGHTS_K1, numbers, strict=False)) % 11 not in (
        ACCEPTED_K1_REMAINDERS
    ):
        raise InvalidNationalId("first check digit is wrong")
    if sum(w * d for w, d in zip(WEIGHTS_K2, numbers, strict=True)) % 11 != 0:
        raise InvalidNationalId("second check digit is wrong")

    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    kind = NationalIdKind.FODSELSNUMMER
    if day > 40:
        kind, day = NationalIdKind.D_NUMMER, day - 40
    if not _is_possible_date(day, month, year, int(digits[6:9])):
        raise InvalidNationalId("the date of birth in the number does not exist")
    return NationalId(value=digits, kind=kind)


def century_of(year_two_digits: int, individual: int) -> int | None:
    """The century from the individual number, per Skatteetaten's table; None if ambiguous."""
    if individual <= 499:
        return 1900
    if individual <= 749 and year_two_digits >= 54:
        return 1800
    if year_two_digits <= 39:
        return 2000
    if individual >= 900:
        return 1900
    return None


def _is_possible_date(day: int, month: int, year: int, individual: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    century = century_of(year, individual)
    if century is None:
        # The new series need not follow the century table; accept any existing date.
        return day <= calendar.monthrange(2000, month)[1]
    return day <= calendar.monthrange(century + year, month)[1]


def birth_date_of(number: NationalId) -> date | None:
    """The date of birth in a valid number; None where the century cannot be told (the new
    number series need not follow Skatteetaten's century table)."""
    digits = number.value
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    if number.kind is NationalIdKind.D_NUMMER:
        day -= 40
    century = century_of(year, int(digits[6:9]))
    return None if century is None else date(century + year, month, day)
