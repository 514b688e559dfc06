"""The age band of a person, derived when the crew did not give it (pure).

The band decides who consents and who is told (pbrl § 4-3: the health age of majority is 16;
§ 4-4: parents consent under 16; § 3-4: parents' right to information), so it is kept even
when everything else about the person is dropped.
"""

from __future__ import annotations

from datetime import date

from app.norway.national_id import InvalidNationalId, birth_date_of, parse_national_id
from app.overdose.enums import AgeBand


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def band_of_age(age: int) -> AgeBand:
    if age < 12:
        return AgeBand.UNDER_12
    if age < 16:
        return AgeBand.AGED_12_15
    if age < 18:
        return AgeBand.AGED_16_17
    return AgeBand.ADULT


def derived_age_band(
    *, national_id: str | None, birth_year: int | None, on: date
) -> AgeBand | None:
    """From the national id's date of birth, else from a birth year where the band is certain
    whatever the birthday; None when neither tells."""
    if national_id is not None:
        try:
            birth = birth_date_of(parse_national_id(national_id))
        except InvalidNationalId:
            birth = None
        if birth is not None and birth <= on:
            return band_of_age(age_on(birth, on))
    if birth_year is not None and birth_year <= on.year:
        youngest, oldest = band_of_age(on.year - birth_year - 1), band_of_age(on.year - birth_year)
        if youngest is oldest:
            return oldest
    return None
