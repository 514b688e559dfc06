"""Pure triage rules (docs/rules.md, "Triage"): no I/O, no clock; table-tested.

`triage` decides from the alert's facts and the municipality's table what happens to an
alert, and when whoever is told is told. Working hours are Europe/Oslo wall-clock hours on
working days; Norwegian public holidays (the `holidays` library) are never working days, nor
are the days the municipality closes, and its short days end early (docs/rules.md, "Working
hours"). A fatal alert is told to the leader by day on any day and, at night, in the morning
(docs/rules.md, "Fatal alerts").
"""

from __future__ import annotations

import re
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
MAX_DAYS = 100
"""At most this many short-day rules, and as many closed days, in a table."""
_LOOKAHEAD_DAYS = 1500
"""Four years: a working day always lies within. A weekday comes 52 times a year, and at most
MAX_DAYS closed days (each once, or once a year) can close no more than two years of it."""


class TriageAction(StrEnum):
    PAGE_NOW = "page_now"
    """Page the on-duty person at once, day or night."""
    WORKING_HOURS = "working_hours"
    """Page at once within working hours, otherwise at the start of the next working day."""
    NO_PAGE = "no_page"
    """Page nobody: an anonymous (objected) alert, counted and shown to the leader."""
    FATAL = "fatal"
    """Tell the leader, not the on-duty person: by day at once, at night in the morning
    (`FatalTiming`); a bereavement follow-up starts."""
    LEADER_NOW = "leader_now"
    """Tell the leader at once, day or night, without identity: an objected alert with
    suicide risk (docs/rules.md, "Suicide risk")."""


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
    suicide_risk: bool = False
    """The crew said the overdose was meant (`intent` `suicidal`) or the person expressed
    suicidal thoughts (docs/rules.md, "Suicide risk")."""


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


class MovableDay(StrEnum):
    """A day that moves with Easter, named in a table of short or closed days."""

    WEDNESDAY_BEFORE_MAUNDY_THURSDAY = "wednesday_before_maundy_thursday"
    """Onsdag før skjærtorsdag: a short day by the usual municipal working-time rules."""


@dataclass(frozen=True, slots=True, order=True)
class YearlyDate:
    """The same date every year ("12-24"); 29 February only counts in leap years."""

    month: int
    day: int

    def __post_init__(self) -> None:
        date(2028, self.month, self.day)  # a leap year: raises ValueError for 31 April

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


DaySpec = date | YearlyDate | MovableDay
"""A day a table names: one date, the same date each year, or a day that moves with Easter."""
_YEARLY = re.compile(r"(\d{2})-(\d{2})")
DAY_SPEC_FORMS = "a date (2027-12-27), a date every year (12-24) or " + " / ".join(
    m.value for m in MovableDay
)


def parse_day(text: str) -> DaySpec:
    """A day as a table writes it; ValueError naming the forms for anything else."""
    try:
        if text in MovableDay._value2member_map_:
            return MovableDay(text)
        if match := _YEARLY.fullmatch(text):
            return YearlyDate(int(match[1]), int(match[2]))
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(f"not a day: give {DAY_SPEC_FORMS}")


def day_text(spec: DaySpec) -> str:
    """How a table writes the day (`parse_day` reads it back)."""
    return spec.isoformat() if isinstance(spec, date) else str(spec)


def names_day(spec: DaySpec, day: date) -> bool:
    """Whether `spec` names `day`."""
    if isinstance(spec, MovableDay):
        return day == easter_sunday(day.year) - timedelta(days=4)
    if isinstance(spec, YearlyDate):
        return (day.month, day.day) == (spec.month, spec.day)
    return day == spec


@cache
def easter_sunday(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


DEFAULT_SHORT_DAYS: tuple[DaySpec, ...] = (
    MovableDay.WEDNESDAY_BEFORE_MAUNDY_THURSDAY,
    YearlyDate(12, 24),
    YearlyDate(12, 31),
)
"""The usual municipal working-time rules: these days end at 12:00 (docs/rules.md)."""


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """Oslo wall-clock hours [start, end) on `days` (0 = Monday), public holidays and the
    municipality's `closed_days` excepted; on `short_days` the day ends at `short_day_end`
    (or at `end`, if sooner; a short day that would end by its start is closed). A short or
    closed day that is a weekend or a public holiday is simply closed."""

    start: time = time(8, 0)
    end: time = time(15, 30)
    days: frozenset[int] = frozenset(range(5))
    short_days: tuple[DaySpec, ...] = DEFAULT_SHORT_DAYS
    short_day_end: time = time(12, 0)
    closed_days: tuple[DaySpec, ...] = ()

    def __post_init__(self) -> None:
        if any(t.tzinfo is not None for t in (self.start, self.end, self.short_day_end)):
            raise ValueError("working hours are Oslo wall-clock times without a timezone")
        if not self.start < self.end:
            raise ValueError("the end of working hours must be after the start")
        if not self.days or not self.days <= frozenset(range(7)):
            raise ValueError("working days: at least one, each 0 (Monday) to 6 (Sunday)")
        for name in ("short_days", "closed_days"):
            listed: tuple[DaySpec, ...] = getattr(self, name)
            if len(listed) > MAX_DAYS:
                raise ValueError(f"{name}: at most {MAX_DAYS}")
            if len(set(listed)) != len(listed):
                raise ValueError(f"{name}: each day only once")

    def hours_on(self, day: date) -> tuple[time, time] | None:
        """The day's working hours, [start, end); None on a day that is not a working day."""
        if day.weekday() not in self.days or day in public_holidays(day.year):
            return None
        if any(names_day(spec, day) for spec in self.closed_days):
            return None
        if any(names_day(spec, day) for spec in self.short_days):
            end = min(self.end, self.short_day_end)
            return (self.start, end) if self.start < end else None
        return self.start, self.end


@dataclass(frozen=True, slots=True)
class FatalTiming:
    """When the leader is told of a fatal alert: at once in the daytime, on any day of the
    year; at night (from `evening` to `morning`, Oslo time) at `morning`, unless
    `at_night` says to tell at once at night too."""

    morning: time = time(8, 0)
    evening: time = time(22, 0)
    at_night: bool = False

    def __post_init__(self) -> None:
        if self.morning.tzinfo is not None or self.evening.tzinfo is not None:
            raise ValueError("morning and evening are Oslo wall-clock times without a timezone")
        if not self.morning < self.evening:
            raise ValueError("the evening must be after the morning")


@dataclass(frozen=True, slots=True)
class FatalContact:
    """The municipality's named contact for fatal alerts (e.g. the kommuneoverlege or the
    crisis team): told when the leader is told, by the same SMS without personal data
    (docs/rules.md, "The municipality's fatal contact"). `mobile` is E.164."""

    name: str
    mobile: str


@dataclass(frozen=True, slots=True)
class TriageTable:
    """A municipality's rules, tried in order after the fixed rules; no match pages now."""

    rules: tuple[TriageRule, ...] = ()
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    fatal: FatalTiming = field(default_factory=FatalTiming)
    fatal_contact: FatalContact | None = None

    def __post_init__(self) -> None:
        if len(self.rules) > MAX_RULES:
            raise ValueError(f"at most {MAX_RULES} rules")


DEFAULT_TABLE = TriageTable(
    rules=(
        TriageRule(
            TriageAction.WORKING_HOURS,
            destinations=frozenset({DestinationType.HOSPITAL, DestinationType.LEGEVAKT_ADMITTED}),
            first_contact_ward=True,
        ),
    )
)
"""Admitted to hospital / Akuttposten or to the legevakt's observation (ØHD) beds: a task for
working hours, with the ward as first contact. Everything else pages now: sent home from the
legevakt (the high-risk night), and the deprecated `legevakt` that does not say which."""


SUICIDE_RISK = "suicide_risk"
OBJECTED_SUICIDE_RISK = "objected_suicide_risk"
SUICIDE_RISK_REASONS = frozenset({SUICIDE_RISK, OBJECTED_SUICIDE_RISK})
"""The reasons of the fixed suicide-risk rule: the link page shows its banner for them."""


@dataclass(frozen=True, slots=True)
class Triage:
    action: TriageAction
    page_at: datetime | None
    """UTC: when whoever is told is told; None for `no_page`."""
    first_contact_ward: bool
    rule: int | None
    """The matching table rule, from 1; None for a fixed rule or the default."""
    reason: str
    """Short and machine-readable: "objected", "fatal", "suicide_risk",
    "objected_suicide_risk", "rule 2", "default"."""


def triage(facts: TriageFacts, table: TriageTable, *, now: datetime) -> Triage:
    """What happens to an alert with `facts` at `now` under `table`.

    Two fixed rules come first, and no municipality can change them:
    * `objected` pages nobody: the alert is anonymous, so nobody could act on it; it is
      counted, used for cluster detection, and the leader sees it.
    * a fatal alert (kind `fatal` or outcome `deceased`) goes to the leader, not to the
      on-duty person: there is nobody to go out to, and what follows is a bereavement
      follow-up. The leader is told at once in the daytime on any day of the year, weekends
      and holidays included, and at night in the morning (`fatal_time`).
    A third, suicide risk (`facts.suicide_risk`), pages at once whatever the destination and
    the table (docs/rules.md, "Suicide risk"); the ward stays the first contact where the
    table's rule says so. An objected alert with suicide risk (not fatal) is told to the
    leader at once, without identity (`leader_now`), instead of paging nobody.
    Then the table's first matching rule decides; no match pages now, the safe default.
    """
    now = _utc(now)
    fatal = facts.kind is AlertKind.FATAL or facts.outcome is Outcome.DECEASED
    if facts.consent is ConsentState.OBJECTED:
        if facts.suicide_risk and not fatal:
            return Triage(TriageAction.LEADER_NOW, now, False, None, OBJECTED_SUICIDE_RISK)
        return Triage(TriageAction.NO_PAGE, None, False, None, "objected")
    hours = table.working_hours
    if fatal:
        return Triage(TriageAction.FATAL, fatal_time(now, table.fatal), False, None, "fatal")
    for number, rule in enumerate(table.rules, start=1):
        if rule.matches(facts):
            if facts.suicide_risk:
                ward = rule.first_contact_ward
                return Triage(TriageAction.PAGE_NOW, now, ward, None, SUICIDE_RISK)
            page_at = now if rule.action is TriageAction.PAGE_NOW else _working_time(now, hours)
            return Triage(rule.action, page_at, rule.first_contact_ward, number, f"rule {number}")
    if facts.suicide_risk:
        return Triage(TriageAction.PAGE_NOW, now, False, None, SUICIDE_RISK)
    return Triage(TriageAction.PAGE_NOW, now, False, None, "default")


def _working_time(now: datetime, hours: WorkingHours) -> datetime:
    return now if in_working_hours(now, hours) else next_working_start(now, hours)


def fatal_time(now: datetime, timing: FatalTiming) -> datetime:
    """When the leader is told of a fatal alert at `now`, in UTC: at once in the daytime
    (from `morning`, before `evening`) or with `at_night`; otherwise at the next `morning`,
    the same day after midnight, the next day after the evening. Weekdays do not matter."""
    now = _utc(now)
    local = now.astimezone(OSLO)
    if timing.at_night or timing.morning <= local.time() < timing.evening:
        return now
    day = local.date() if local.time() < timing.morning else local.date() + timedelta(days=1)
    return datetime.combine(day, timing.morning, tzinfo=OSLO).astimezone(UTC)


def in_working_hours(at: datetime, hours: WorkingHours) -> bool:
    """Whether `at` is within working hours: the start is in, the end (a short day's too) is
    out."""
    local = _utc(at).astimezone(OSLO)
    span = hours.hours_on(local.date())
    return span is not None and span[0] <= local.time() < span[1]


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
    raise AssertionError("no working day within four years")  # unreachable: _LOOKAHEAD_DAYS


def is_working_day(day: date, hours: WorkingHours) -> bool:
    """A working day (short ones included): not a weekend, holiday or closed day."""
    return hours.hours_on(day) is not None


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
