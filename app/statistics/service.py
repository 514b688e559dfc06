"""The statistics of a municipality's period: the year's cube, suppressed once, read for the
period (`app.statistics.cube`), and written out as JSON or CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from app.statistics import repository
from app.statistics.cube import (
    ALL,
    EVENTS,
    Period,
    PeriodStatistics,
    YearCube,
    periods_of_year,
)

CSV_COLUMNS = ("municipality", "period", "dimension", "value", "count", "shown")
"""The CSV's columns, in order: `count` is empty where the cell is hidden, `shown` is the
count or its mark ("<5": 1 to 4; "x": hidden so that no hidden cell can be recovered); a
share or a median is in `shown` only (empty when hidden)."""


async def year_cube(session: AsyncSession, *, municipality: str, year: int) -> YearCube:
    """The municipality's year, suppressed as one cube."""
    periods = {period.key: period.months for period in periods_of_year(year)}
    facts = await repository.facts_in(
        session, municipality=municipality, months=periods[f"{year:04d}"]
    )
    persons = await repository.distinct_persons(session, municipality=municipality, periods=periods)
    return YearCube.build(municipality, year, facts, persons=persons)


async def period_statistics(
    session: AsyncSession, *, municipality: str, period: Period
) -> PeriodStatistics:
    cube = await year_cube(session, municipality=municipality, year=period.year)
    return cube.period(period)


def csv_rows(stats: PeriodStatistics) -> Iterable[tuple[str, ...]]:
    """The rows of `CSV_COLUMNS` (without the header)."""
    code, key = stats.municipality, stats.period.key

    def row(
        period: str, dimension: str, value: str, count: int | None, shown: str
    ) -> tuple[str, ...]:
        return (code, period, dimension, value, "" if count is None else str(count), shown)

    yield row(key, EVENTS, ALL, stats.events.count, stats.events.text)
    if len(stats.months) > 1:
        for month, shown in stats.months:
            yield row(month, EVENTS, ALL, shown.count, shown.text)
    persons = stats.persons
    yield row(key, "persons", "distinct", persons, "" if persons is None else str(persons))
    median = stats.median_minutes_to_acknowledge
    yield row(
        key, "minutes_to_acknowledge", "median", None, "" if median is None else f"{median:g}"
    )
    for name, value in stats.shares.items():
        yield row(key, "share", name, None, "" if value is None else f"{value:.3f}")
    for cell in stats.rows:
        yield row(key, cell.dimension, cell.value, cell.shown.count, cell.shown.text)


def to_csv(stats: PeriodStatistics) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(stats))
    return out.getvalue()
