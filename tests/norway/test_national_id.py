"""Fødselsnummer and D-nummer validation, including the 2032 series (docs/rules.md, "National
ids and mobile numbers")."""

from __future__ import annotations

import pytest

from app.norway.national_id import InvalidNationalId, NationalIdKind, parse_national_id

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def with_check_digits(first_nine: str, k1: int) -> str:
    """Append the given first check digit and the matching second one (reference formula)."""
    digits = [int(c) for c in first_nine] + [k1]
    k2 = (11 - sum(w * d for w, d in zip(W2, digits, strict=True)) % 11) % 11
    assert k2 != 10, "pick another prefix"
    return "".join(map(str, digits)) + str(k2)


VALID = [
    # number, kind, what it shows
    ("01010750160", NationalIdKind.FODSELSNUMMER, "classic: born 2007, remainder 0"),
    ("23119912326", NationalIdKind.FODSELSNUMMER, "born 1999"),
    ("01012050190", NationalIdKind.FODSELSNUMMER, "born 2020, individual 501"),
    ("15062688014", NationalIdKind.FODSELSNUMMER, "born 2026, individual 880"),
    ("29020091256", NationalIdKind.FODSELSNUMMER, "29 Feb 2000 (leap year)"),
    ("31124055175", NationalIdKind.FODSELSNUMMER, "individual 551 in year 40: no century rule"),
    ("71039991238", NationalIdKind.D_NUMMER, "D-nummer: day 31+40, 2032 remainder 1"),
    ("45069012306", NationalIdKind.D_NUMMER, "D-nummer, 2032 series remainder 2"),
    ("01010750179", NationalIdKind.FODSELSNUMMER, "2032 series: remainder 1"),
    ("01010750187", NationalIdKind.FODSELSNUMMER, "2032 series: remainder 2"),
    ("01010750195", NationalIdKind.FODSELSNUMMER, "2032 series: remainder 3"),
    ("29029612348", NationalIdKind.FODSELSNUMMER, "29 Feb 1996, 2032 series"),
    ("010107 50160", NationalIdKind.FODSELSNUMMER, "spaces are ignored"),
]


@pytest.mark.parametrize(("number", "kind", "why"), VALID)
def test_valid_numbers_are_accepted(number: str, kind: NationalIdKind, why: str) -> None:
    parsed = parse_national_id(number)
    assert parsed.kind is kind, why
    assert parsed.value == number.replace(" ", "")


INVALID = [
    ("01010750161", "second check digit is wrong"),
    ("23119912327", "second check digit is wrong"),
    # For this prefix first check digits 0-5 leave remainders 4-10: never valid.
    *[(with_check_digits("010107501", k1), "first check digit is wrong") for k1 in (0, 2, 3, 4, 5)],
    (with_check_digits("300296123", 8), "the date of birth in the number does not exist"),
    (with_check_digits("290299123", 9), "the date of birth in the number does not exist"),
    (with_check_digits("011399123", 1), "the date of birth in the number does not exist"),
    (with_check_digits("000199123", 2), "the date of birth in the number does not exist"),
    (with_check_digits("720199123", 0), "the date of birth in the number does not exist"),
    ("0101075016", "must be 11 digits"),
    ("010107501600", "must be 11 digits"),
    ("0101075016a", "must be 11 digits"),
    ("٠١٠١٠٧٥٠١٦٠", "must be 11 digits"),
    ("", "must be 11 digits"),
]


@pytest.mark.parametrize(("number", "reason"), INVALID)
def test_invalid_numbers_are_refused_with_a_reason(number: str, reason: str) -> None:
    with pytest.raises(InvalidNationalId) as raised:
        parse_national_id(number)
    assert str(raised.value) == reason
    assert number not in str(raised.value) or not number


def test_29_february_1900_does_not_exist() -> None:
    # Individual number 123 puts the year in the 1900s, and 1900 was no leap year.
    for k1 in range(10):
        try:
            number = with_check_digits("290200123", k1)
        except AssertionError:
            continue
        with pytest.raises(InvalidNationalId):
            parse_national_id(number)
