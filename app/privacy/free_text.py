"""Free text that must not identify the person: answers to the crew, drug descriptions.

`personal_data_in` refuses a national id (any run of 11 digits, valid or not: a typo is still
someone's number), a phone number (8 digits, optionally +47/0047, spaces allowed), a name or
part of a name from the alert, or a proper name from the alert's place description. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_ELEVEN_DIGITS = re.compile(r"(?<!\d)(?:\d[ .]?){10}\d(?!\d)")
_PHONE = re.compile(r"(?<!\d)(?:(?:\+|00)\s?47\s?)?(?:\d\s?){7}\d(?!\d)")
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
_MIN_NAME_PART = 2
_MIN_PLACE_PART = 4
"""A place description is free text: only its capitalised words of four letters or more
(street and place names, "Storgata") say where; "ved", "hos", "oppgang" say it of any place."""


def personal_data_in(
    text: str, *, names: Iterable[str] = (), places: Iterable[str] = ()
) -> list[str]:
    """Why `text` may not be sent to the crew: each reason once; empty if it may.

    `names`: the person's name(s) from the alert; every part of two letters or more counts.
    `places`: the alert's place description(s); their capitalised words of four letters or
    more count (with the time in the answer SMS, an address says who was treated).
    """
    reasons: list[str] = []
    if _ELEVEN_DIGITS.search(text):
        reasons.append("looks like a national id number (11 digits)")
    elif _PHONE.search(text):
        reasons.append("looks like a phone number")
    words = {w.casefold() for w in _WORD.findall(text)}
    parts = {p.casefold() for name in names for p in _WORD.findall(name)}
    if words & {p for p in parts if len(p) >= _MIN_NAME_PART}:
        reasons.append("contains the person's name from the alert")
    proper = {
        w.casefold()
        for place in places
        for w in _WORD.findall(place)
        if len(w) >= _MIN_PLACE_PART and w[0].isupper()
    }
    if words & proper:
        reasons.append("contains the place from the alert")
    return reasons


def no_personal_numbers(text: str) -> str:
    """A pydantic AfterValidator: the text, unless it holds what looks like a national id or
    a phone number (text kept or shown where the person's numbers do not belong)."""
    reasons = personal_data_in(text)
    if reasons:
        raise ValueError("; ".join(reasons) + ": personal data does not belong here")
    return text
