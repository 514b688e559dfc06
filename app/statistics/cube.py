"""The cube of a municipality's year (pure): counts per period, dimension and value, the
relations between them, and what is shown of each period after suppression.

Periods are a year's months ("2026-11"), its half-years ("2026-H2") and the year ("2026").
Each dimension's values are exhaustive (an `unknown` value where the fact may be missing), so
the events of a period are the sum of every dimension's values: one relation per period and
dimension, all sharing the period's events cell. A month's cells sum to their half-year's,
and the half-years' to the year's: one relation per dimension value. `home` groups
`place_type`, so each of its values is a sum of place types too.

Not additive, so outside the cube and shown only for groups of at least `MIN_SHOWN`: distinct
persons (counted in the database, from keys that never leave it), the median time to
acknowledge, and shares (shown only where both the numerator and the rest are shown cells).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.overdose.enums import AgeBand, DestinationType, Outcome, PlaceType, Sex
from app.statistics.facts import SUBSTANCE_GROUPS
from app.statistics.suppression import MIN_SHOWN, Relation, Shown, suppress

UNKNOWN = "unknown"
YES = "yes"
NO = "no"
EVENTS = "events"
ALL = "all"
"""The events cell of a period: (period, EVENTS, ALL)."""

Cell = tuple[str, str, str]
"""(period, dimension, value)"""
Fact = Mapping[str, Any]
"""An `alert_fact` row without `person_key`."""

HOME_TYPES = (PlaceType.OWN_HOME.value, PlaceType.OTHERS_HOME.value)
"""The home share counts the person's own home and someone else's home."""


def _flag(column: str) -> Callable[[Fact], str]:
    def value_of(fact: Fact) -> str:
        value = fact.get(column)
        return UNKNOWN if value is None else (YES if value else NO)

    return value_of


def _plain(column: str) -> Callable[[Fact], str]:
    def value_of(fact: Fact) -> str:
        value = fact.get(column)
        return UNKNOWN if value is None else str(value)

    return value_of


def _substance(group: str) -> Callable[[Fact], str]:
    def value_of(fact: Fact) -> str:
        groups = fact.get("substance_groups")
        return UNKNOWN if groups is None else (YES if group in groups else NO)

    return value_of


def _home(fact: Fact) -> str:
    place = fact.get("place_type")
    return UNKNOWN if place is None else ("home" if place in HOME_TYPES else "not_home")


@dataclass(frozen=True)
class Dimension:
    name: str
    values: tuple[str, ...]
    """Exhaustive: every fact has exactly one."""
    value_of: Callable[[Fact], str]
    groups: tuple[str, Mapping[str, tuple[str, ...]]] | None = None
    """A coarser view of another dimension: its name, and the values each value groups."""


def _enum(*members: Iterable[Any], unknown: bool = True) -> tuple[str, ...]:
    values = tuple(str(m.value) for group in members for m in group)
    return (*values, UNKNOWN) if unknown else values


_FLAG = (YES, NO, UNKNOWN)
_PLACES = _enum(PlaceType)

DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("kind", ("non_fatal", "fatal"), _plain("kind")),
    Dimension("outcome", _enum(Outcome), _plain("outcome")),
    Dimension("destination", _enum(DestinationType), _plain("destination")),
    Dimension("place_type", _PLACES, _plain("place_type")),
    Dimension(
        "home",
        ("home", "not_home", UNKNOWN),
        _home,
        groups=(
            "place_type",
            {
                "home": HOME_TYPES,
                "not_home": tuple(p for p in _PLACES if p not in HOME_TYPES and p != UNKNOWN),
                UNKNOWN: (UNKNOWN,),
            },
        ),
    ),
    Dimension("evening", (YES, NO), _flag("evening")),
    Dimension("weekend", (YES, NO), _flag("weekend")),
    Dimension("sex", _enum(Sex), _plain("sex")),
    Dimension("age_band", _enum(AgeBand), _plain("age_band")),
    Dimension("naloxone", _FLAG, _flag("naloxone")),
    Dimension("naloxone_by_bystander", _FLAG, _flag("naloxone_by_bystander")),
    *(Dimension(f"substance_{group}", _FLAG, _substance(group)) for group in SUBSTANCE_GROUPS),
    Dimension("reached_within_24h", _FLAG, _flag("reached_within_24h")),
    Dimension("next_appointment", _FLAG, _flag("next_appointment")),
)
"""Every breakdown, in the order answers list them."""


@dataclass(frozen=True)
class ShareRule:
    name: str
    dimension: str
    numerator: str
    rest: tuple[str, ...]
    """The values that with the numerator make the denominator (unknown left out)."""


SHARES: tuple[ShareRule, ...] = (
    ShareRule("home", "home", "home", ("not_home",)),
    ShareRule("evening", "evening", YES, (NO,)),
    ShareRule("weekend", "weekend", YES, (NO,)),
    ShareRule("naloxone_by_bystander", "naloxone_by_bystander", YES, (NO,)),
    ShareRule("reached_within_24h", "reached_within_24h", YES, (NO,)),
    ShareRule("next_appointment", "next_appointment", YES, (NO,)),
)
"""Shares among the facts where it is known."""


# Periods

_PERIOD = re.compile(r"^(?P<year>20\d\d)(?:-(?P<month>0[1-9]|1[0-2])|-H(?P<half>[12]))?$")
"""Years 2000-2099: the service keeps no alert from before it ran."""
PERIOD_PATTERN = _PERIOD.pattern


@dataclass(frozen=True)
class Period:
    year: int
    month: int | None = None
    half: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period:
        """ValueError unless `text` is "2026-11", "2026-H2" or "2026"."""
        match = _PERIOD.match(text)
        if match is None:
            raise ValueError('a month ("2026-11"), a half-year ("2026-H2") or a year ("2026")')
        month, half = match["month"], match["half"]
        return cls(
            year=int(match["year"]),
            month=int(month) if month else None,
            half=int(half) if half else None,
        )

    @property
    def key(self) -> str:
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        if self.half is not None:
            return f"{self.year:04d}-H{self.half}"
        return f"{self.year:04d}"

    @property
    def months(self) -> tuple[str, ...]:
        if self.month is not None:
            return (self.key,)
        first = 1 if self.half in (None, 1) else 7
        last = 12 if self.half in (None, 2) else 6
        return tuple(f"{self.year:04d}-{m:02d}" for m in range(first, last + 1))

    @property
    def granularity(self) -> str:
        return "month" if self.month else "half_year" if self.half else "year"


def periods_of_year(year: int) -> tuple[Period, ...]:
    return (
        *(Period(year, month=m) for m in range(1, 13)),
        Period(year, half=1),
        Period(year, half=2),
        Period(year),
    )


def periods_of_month(month: str) -> tuple[str, ...]:
    """The keys of the periods a month counts in: itself, its half-year, its year."""
    year, number = month.split("-")
    return (month, f"{year}-H{1 if int(number) <= 6 else 2}", year)


# The cube


def cells_of_period(period: str) -> list[Cell]:
    return [(period, EVENTS, ALL)] + [
        (period, d.name, value) for d in DIMENSIONS for value in d.values
    ]


def relations_of_year(year: int) -> list[Relation[Cell]]:
    """Every additive relation of the year's cube (module docstring)."""
    relations: list[Relation[Cell]] = []
    by_name = {d.name: d for d in DIMENSIONS}
    for period in periods_of_year(year):
        key = period.key
        for dimension in DIMENSIONS:
            parts = tuple((key, dimension.name, value) for value in dimension.values)
            relations.append(Relation((key, EVENTS, ALL), parts))
            if dimension.groups is not None:
                finer, groups = dimension.groups
                assert finer in by_name
                for value, fine_values in groups.items():
                    fine = tuple((key, finer, v) for v in fine_values)
                    relations.append(Relation((key, dimension.name, value), fine))
    halves = {p.key: p for p in periods_of_year(year) if p.half is not None}
    for _, name, value in cells_of_period(f"{year:04d}"):
        for key, half in halves.items():
            months = tuple((m, name, value) for m in half.months)
            relations.append(Relation((key, name, value), months))
        relations.append(
            Relation((f"{year:04d}", name, value), tuple((key, name, value) for key in halves))
        )
    return relations


def count_cube(year: int, facts: Iterable[Fact]) -> dict[Cell, int]:
    """The year's counts, every cell present (zero where nobody)."""
    counts: dict[Cell, int] = {
        cell: 0 for period in periods_of_year(year) for cell in cells_of_period(period.key)
    }
    for fact in facts:
        for key in periods_of_month(fact["month"]):
            counts[(key, EVENTS, ALL)] += 1
            for dimension in DIMENSIONS:
                counts[(key, dimension.name, dimension.value_of(fact))] += 1
    return counts


# What a period shows


@dataclass(frozen=True)
class Row:
    dimension: str
    value: str
    shown: Shown


@dataclass(frozen=True)
class PeriodStatistics:
    """One period of a municipality, as it may be shown."""

    municipality: str
    period: Period
    events: Shown
    persons: int | None
    """Distinct persons; None unless at least `MIN_SHOWN` and the events are shown."""
    median_minutes_to_acknowledge: float | None
    """None unless at least `MIN_SHOWN` acknowledged alerts."""
    rows: list[Row]
    shares: dict[str, float | None]
    months: list[tuple[str, Shown]] = field(default_factory=list)
    """The events of each month of the period (one for a month)."""


def share(rule: ShareRule, shown: Mapping[Cell, Shown], period: str) -> float | None:
    numerator = shown[(period, rule.dimension, rule.numerator)].count
    rest = [shown[(period, rule.dimension, value)].count for value in rule.rest]
    if numerator is None or any(count is None for count in rest):
        return None
    remainder = sum(count for count in rest if count is not None)
    if numerator < MIN_SHOWN or remainder < MIN_SHOWN:
        return None
    return numerator / (numerator + remainder)


def median_shown(minutes: Sequence[int]) -> float | None:
    return float(statistics.median(minutes)) if len(minutes) >= MIN_SHOWN else None


@dataclass(frozen=True)
class YearCube:
    """A municipality's year, suppressed once; every period is read from it."""

    municipality: str
    year: int
    shown: Mapping[Cell, Shown]
    persons: Mapping[str, int]
    """Distinct persons per period key (from the database)."""
    minutes: Mapping[str, Sequence[int]]
    """Minutes to acknowledge per month."""

    @classmethod
    def build(
        cls,
        municipality: str,
        year: int,
        facts: Iterable[Fact],
        *,
        persons: Mapping[str, int],
    ) -> YearCube:
        facts = list(facts)
        counts = count_cube(year, facts)
        minutes: dict[str, list[int]] = {}
        for fact in facts:
            if fact.get("minutes_to_acknowledge") is not None:
                minutes.setdefault(fact["month"], []).append(fact["minutes_to_acknowledge"])
        return cls(
            municipality=municipality,
            year=year,
            shown=suppress(counts, relations_of_year(year)),
            persons=persons,
            minutes=minutes,
        )

    def period(self, period: Period) -> PeriodStatistics:
        if period.year != self.year:
            raise ValueError("the period is not in this cube's year")
        key = period.key
        events = self.shown[(key, EVENTS, ALL)]
        persons = self.persons.get(key, 0)
        minutes = [m for month in period.months for m in self.minutes.get(month, [])]
        return PeriodStatistics(
            municipality=self.municipality,
            period=period,
            events=events,
            persons=persons if persons >= MIN_SHOWN and events.count is not None else None,
            median_minutes_to_acknowledge=median_shown(minutes),
            rows=[
                Row(d.name, value, self.shown[(key, d.name, value)])
                for d in DIMENSIONS
                for value in d.values
            ],
            shares={rule.name: share(rule, self.shown, key) for rule in SHARES},
            months=[(month, self.shown[(month, EVENTS, ALL)]) for month in period.months],
        )
