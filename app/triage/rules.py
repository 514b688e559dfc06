"""Pure triage rules (BRIEF §9 "Urgency follows the outcome"): no I/O, no clock; table-tested.

`triage` decides from the alert's facts and the municipality's table what happens to an
alert, and when whoever is told is told. Working hours are Europe/Oslo wall-clock hours on
working days; Norwegian public holidays (the `holidays` library) are never working days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from app.consent.enums import ConsentState
from app.overdose.enums import AlertKind, DestinationType, Outcome, SeveritySign

OSLO = ZoneInfo("Europe/Oslo")
MAX_RULES = 50
_LOOKAHEAD_DAYS = 400
"""More than a year: with at least one weekday a working day, a start always lies within."""


class TriageAction(StrEnum):
    PAGE_NOW = "page_now"
    """Page the on-duty person at once, day or night."""
    WORKING_HOURS = "working_hours"
    """Page at once within working hours, otherwise at the start of the next working day."""
    NO_PAGE = "no_page"
    """Page nobody: an anonymous (objected) alert, counted and shown to the leader."""
    FATAL = "fatal"
    """Tell the leader (never the on-duty person at night); a bereavement follow-up starts."""


TABLE_ACTIONS = frozenset({TriageAction.PAGE_NOW, TriageAction.WORKING_HOURS})
"""The actions a municipality's table may choose; the others are fixed rules."""


@dataclass(frozen=True, slots=True)
class TriageFacts:
    """What triage reads from an alert."""

    kind: AlertKind
    consent: ConsentState
    outcome: Outcome | None
    destination: DestinationType | None
    severity: frozenset[SeveritySign] = frozenset()


@dataclass(frozen=True, slots=True)
class TriageRule:
    """One row of a table: `action` when every given condition holds (None: any value).

    An empty set would match nothing and is refused: leave the condition out instead.
    """

    action: TriageAction
    outcomes: frozenset[Outcome] | None = None
    destinations: frozenset[DestinationType] | None = None
    severity_any: frozenset[SeveritySign] | None = None
    first_contact_ward: bool = False
    """The page tells staff to agree with the ward first («avtal med sykehus/institusjon»)."""

    def __post_init__(self) -> None:
        if self.action not in TABLE_ACTIONS:
            raise ValueError(
                f"a table rule pages now or in working hours, not {self.action.value}: "
                "objected and fatal alerts are decided by fixed rules before the table"
            )
        for name in ("outcomes", "destinations", "severity_any"):
            if getattr(self, name) == frozenset():
                raise ValueError(f"{name}: an empty set matches nothing; leave it out for any")

    def matches(self, facts: TriageFacts) -> bool:
        return (
            (self.outcomes is None or facts.outcome in self.outcomes)
            and (self.destinations is None or facts.destination in self.destinations)
            and (self.severity_any is None or bool(self.severity_any & facts.severity))
        )


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """Oslo wall-clock hours [start, end) on `days` (0 = Monday), public holidays excepted."""

    start: time = time(8, 0)
    end: time = time(15, 30)
    days: frozenset[int] = frozenset(range(5))

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working hours are Oslo wall-clock times without a timezone")
        if not self.start < self.end:
            raise ValueError("the end of working hours must be after the start")
        if not self.days or not self.days <= frozenset(range(7)):
            raise ValueError("working days: at least one, each 0 (Monday) to 6 (Sunday)")


@dataclass(frozen=True, slots=True)
class TriageTable:
    """A municipality's rules, tried in order after the fixed rules; no match pages now."""

    rules: tuple[TriageRule, ...] = ()
    working_hours: WorkingHours = field(default_factory=WorkingHours)

    def __post_init__(self) -> None:
        if len(self.rules) > MAX_RULES:
            raise ValueError(f"at most {MAX_RULES} rules")


DEFAULT_TABLE = TriageTable(
    rules=(
        TriageRule(
            TriageAction.WORKING_HOURS,
            destinations=frozenset({DestinationType.HOSPITAL, DestinationType.LEGEVAKT}),
            first_contact_ward=True,
        ),
    )
)
"""Admitted to hospital / Akuttposten or kept at the legevakt: a task for working hours, with
the ward as first contact. Everything else pages now."""


@dataclass(frozen=True, slots=True)
class Triage:
    action: TriageAction
    page_at: datetime | None
    """UTC: when whoever is told is told; None for `no_page`."""
    first_contact_ward: bool
    rule: int | None
    """The matching table rule, from 1; None for a fixed rule or the default."""
    reason: str
    """Short and machine-readable: "objected", "fatal", "rule 2", "default"."""


def triage(facts: TriageFacts, table: TriageTable, *, now: datetime) -> Triage:
    """What happens to an alert with `facts` at `now` under `table`.

    Two fixed rules come first, and no municipality can change them:
    * `objected` pages nobody: the alert is anonymous, so nobody could act on it; it is
      counted, used for cluster detection, and the leader sees it.
    * a fatal alert (kind `fatal` or outcome `deceased`) goes to the leader, in working hours
      (never at night), not to the on-duty person: there is nobody to go out to, and what
      follows is a bereavement follow-up.
    Then the table's first matching rule decides; no match pages now, the safe default.
    """
    now = _utc(now)
    if facts.consent is ConsentState.OBJECTED:
        return Triage(TriageAction.NO_PAGE, None, False, None, "objected")
    hours = table.working_hours
    if facts.kind is AlertKind.FATAL or facts.outcome is Outcome.DECEASED:
        return Triage(TriageAction.FATAL, _working_time(now, hours), False, None, "fatal")
    for number, rule in enumerate(table.rules, start=1):
        if rule.matches(facts):
            page_at = now if rule.action is TriageAction.PAGE_NOW else _working_time(now, hours)
            return Triage(rule.action, page_at, rule.first_contact_ward, number, f"rule {number}")
    return Triage(TriageAction.PAGE_NOW, now, False, None, "default")


def _working_time(now: datetime, hours: WorkingHours) -> datetime:
    return now if in_working_hours(now, hours) else next_working_start(now, hours)


def in_working_hours(at: datetime, hours: WorkingHours) -> bool:
    """Whether `at` is within working hours: the start is in, the end is out."""
    local = _utc(at).astimezone(OSLO)
    return is_working_day(local.date(), hours) and hours.start <= local.time() < hours.end


def next_working_start(at: datetime, hours: WorkingHours) -> datetime:
    """The first start of working hours strictly after `at`, in UTC.

    08:00 in Oslo is 07:00 UTC in summer time and 08:00 UTC in winter. A start that falls in
    the hour skipped when summer time begins is read as the same time before the change.
    """
    at = _utc(at)
    day = at.astimezone(OSLO).date()
    for _ in range(_LOOKAHEAD_DAYS):
        if is_working_day(day, hours):
            start = datetime.combine(day, hours.start, tzinfo=OSLO).astimezone(UTC)
            if start > at:
                return start
        day += timedelta(days=1)
    raise AssertionError("no working day within a year")  # unreachable: days is non-empty


def is_working_day(day: date, hours: WorkingHours) -> bool:
    return day.weekday() in hours.days and day not in public_holidays(day.year)


@cache
def public_holidays(year: int) -> frozenset[date]:
    """Norway's public holidays (helligdager and 1 and 17 May) in `year`.

    Ordinary Sundays are left out on purpose (`include_sundays=False`; the default has
    changed between versions of the library): whether Sunday is a working day is the table's
    `days`, so a team that works Sundays may say so. Easter Sunday and Whit Sunday stay
    holidays. Christmas Eve and New Year's Eve are not public holidays and are not added.
    """
    return frozenset(holidays.country_holidays("NO", years=year, include_sundays=False))


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("triage needs a timezone-aware instant")
    return at.astimezone(UTC)
