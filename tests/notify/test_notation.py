"""Times, dates and numbers as each language writes them (app.i18n; docs/rules.md,
"Norwegian notation"): bokmål "kl. 05.47", "06.12.2026", "59,9139"; English keeps its own."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.i18n import clock, day, day_and_month, decimal, moment, short_moment

DECEMBER = datetime(2026, 12, 6, 4, 47, tzinfo=UTC)  # 05:47 in Oslo (CET)
JULY = datetime(2026, 7, 1, 22, 5, tzinfo=UTC)  # 00:05 the next day in Oslo (CEST)
NEW_YEAR = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)  # midnight, 1 January 2027 in Oslo

CLOCK = [
    (DECEMBER, "nb", "05.47"),  # Språkrådet: punktum mellom time og minutt
    (DECEMBER, "en", "05:47"),
    (JULY, "nb", "00.05"),
    (JULY, "en", "00:05"),
    (NEW_YEAR, "nb", "00.00"),
    (DECEMBER, "nn", "05.47"),  # anything but English is bokmål
    (DECEMBER, None, "05.47"),
]


@pytest.mark.parametrize(("instant", "language", "expected"), CLOCK)
def test_clock(instant: datetime, language: str | None, expected: str) -> None:
    assert clock(instant, language) == expected


DAY = [
    (DECEMBER, "nb", False, "06.12.2026"),
    (DECEMBER, "nb", True, "6. desember 2026"),
    (DECEMBER, "en", False, "6 Dec 2026"),
    (DECEMBER, "en", True, "6 December 2026"),
    (JULY, "nb", False, "02.07.2026"),  # the Oslo day, not the UTC one
    (NEW_YEAR, "nb", True, "1. januar 2027"),
    (date(2027, 3, 25), "nb", True, "25. mars 2027"),  # Maundy Thursday
    (date(2027, 5, 17), "nb", False, "17.05.2027"),
]


@pytest.mark.parametrize(("value", "language", "long", "expected"), DAY)
def test_day(value: date | datetime, language: str, long: bool, expected: str) -> None:
    assert day(value, language, long=long) == expected


MOMENTS = [
    # instant, language, page (moment), SMS (short_moment), day and month
    (DECEMBER, "nb", "06.12.2026 kl. 05.47", "6.12. kl. 05.47", "6.12."),
    (DECEMBER, "en", "6 Dec 2026 05:47", "6 Dec 05:47", "6 Dec"),
    (JULY, "nb", "02.07.2026 kl. 00.05", "2.7. kl. 00.05", "2.7."),
    (JULY, "en", "2 Jul 2026 00:05", "2 Jul 00:05", "2 Jul"),
    (NEW_YEAR, "nb", "01.01.2027 kl. 00.00", "1.1. kl. 00.00", "1.1."),
    (
        datetime(2026, 11, 22, 23, 41, tzinfo=UTC),
        "nb",
        "23.11.2026 kl. 00.41",
        "23.11. kl. 00.41",
        "23.11.",
    ),
    (
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        "nb",
        "29.03.2026 kl. 03.00",
        "29.3. kl. 03.00",
        "29.3.",
    ),  # first CEST
    (
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        "nn",
        "29.03.2026 kl. 03.00",
        "29.3. kl. 03.00",
        "29.3.",
    ),  # nynorsk writes them as bokmål does
]


@pytest.mark.parametrize(("instant", "language", "page", "sms", "day_month"), MOMENTS)
def test_moments(instant: datetime, language: str, page: str, sms: str, day_month: str) -> None:
    assert moment(instant, language) == page
    assert short_moment(instant, language) == sms
    assert day_and_month(instant, language) == day_month


@pytest.mark.parametrize("function", [clock, moment, short_moment, day_and_month])
def test_naive_instants_are_refused(function: object) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        function(datetime(2026, 12, 6, 5, 47), "nb")  # type: ignore[operator]


DECIMALS = [
    (59.9139, "nb", "59,9139"),  # a coordinate: decimal comma
    (59.9139, "en", "59.9139"),
    (10.7522, "nb", "10,7522"),
    (-3.5, "nb", "-3,5"),
    (0.5, "nb", "0,5"),
    (6.0, "nb", "6"),
    (1234.5, "nb", "1234,5"),  # no grouping
    (59.91390123, "nb", "59,913901"),  # six decimals at most
]


@pytest.mark.parametrize(("value", "language", "expected"), DECIMALS)
def test_decimal(value: float, language: str, expected: str) -> None:
    assert decimal(value, language) == expected
