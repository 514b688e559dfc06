"""When a step is due, when its owner is reminded, and when it is overdue (pure).

A step's deadline counts from the overdose (the template's offset), never sooner than the
template's minimum lead after the case opened, and never before the first responsible person
was told of the alert (docs/rules.md, "Step deadlines"): a deadline that would fall before
that is due at once from then, and the step says so (`due_at_once`). The owner is reminded a
while before it; if that moment has passed already when the deadline is set, there is no
reminder. Each deadline is told once: one reminder, one overdue notice to the leader. A new
deadline (a next attempt, a reopened step) is told afresh. The engine stores `next_due_at`
from `due_notices` and claims the rows whose time has come.

**No follow-up SMS at night.** Quiet hours are 22:00 to 08:00 Oslo time (`Europe/Oslo`, so
summer and winter time both count as local time; 22:00 is quiet, 08:00 is not). Follow-up is
daytime work: a reminder or an overdue notice at 02:00 wakes someone who can do nothing about
it until the morning, and the on-duty phone is for alerts. The decision:

* Deadlines never move: they are what the procedure says, and a step is overdue (in the
  case views) from its deadline whatever the hour.
* A reminder whose moment falls in quiet hours goes at 21:00 the evening before, if the step
  was already open before then (an evening reminder before a night or early-morning
  deadline); else at 08:00, if that is still before the deadline; else not at all, and the
  overdue notice follows. A step opened at 02:00 with its reminder due at 04:00 and its
  deadline at 10:00 is reminded at 08:00. The stored `remind_at` is the moment it goes.
* An overdue notice whose deadline falls in quiet hours goes at 08:00 (`overdue_at`).
* Whatever the schedule says, nothing goes in quiet hours: a worker that catches up at night
  (it was down, or a retry landed there) waits until 08:00, when a reminder still goes if its
  deadline has not come, and the overdue notice goes if it has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.triage.rules import WorkingHours, next_working_start

MAX_NEXT_ATTEMPT = timedelta(days=30)
"""A next attempt is at most this far ahead."""

LOCAL = ZoneInfo("Europe/Oslo")
QUIET_FROM = time(22, 0)
"""Quiet hours start (local time, inclusive)."""
QUIET_UNTIL = time(8, 0)
"""Quiet hours end (local time, exclusive): notices held over the night go at this time."""
EVENING_REMINDER = time(21, 0)
"""A reminder due in quiet hours goes at this time the evening before (local time)."""


@dataclass(frozen=True, slots=True)
class Night:
    """One stretch of quiet hours, as UTC instants: from 22:00 to 08:00 local time."""

    evening: date
    """The local date the night starts on."""
    starts_at: datetime
    ends_at: datetime

    @property
    def evening_reminder(self) -> datetime:
        """21:00 local time on the evening the night starts."""
        return _utc(self.evening, EVENING_REMINDER)


def _utc(day: date, at: time) -> datetime:
    # 21:00, 22:00 and 08:00 exist exactly once each day in Oslo (the clocks change at 02:00
    # and 03:00), so combining is never ambiguous.
    return datetime.combine(day, at, tzinfo=LOCAL).astimezone(UTC)


def night_of(at: datetime) -> Night | None:
    """The quiet hours `at` falls in; None in the daytime."""
    local = at.astimezone(LOCAL)
    if local.time() >= QUIET_FROM:
        evening = local.date()
    elif local.time() < QUIET_UNTIL:
        evening = local.date() - timedelta(days=1)
    else:
        return None
    return Night(
        evening=evening,
        starts_at=_utc(evening, QUIET_FROM),
        ends_at=_utc(evening + timedelta(days=1), QUIET_UNTIL),
    )


def is_quiet(at: datetime) -> bool:
    """Whether `at` is in quiet hours (22:00 inclusive to 08:00 exclusive, Oslo time)."""
    return night_of(at) is not None


def outside_quiet_hours(at: datetime) -> datetime:
    """`at`, or 08:00 local time after it when it falls in quiet hours."""
    night = night_of(at)
    return at if night is None else night.ends_at


def overdue_at(deadline: datetime) -> datetime:
    """When the leader is told that `deadline` passed: at it, or at 08:00 after a night one."""
    return outside_quiet_hours(deadline)


@dataclass(frozen=True, slots=True)
class StepDeadline:
    """A new step's deadline, and whether it is due at once."""

    at: datetime
    due_at_once: bool
    """The template's deadline had passed when the first responsible person was told: the
    step is due at once from then (within the template's minimum lead after opening)."""


def planned_deadline(
    alert_at: datetime,
    *,
    offset_hours: float,
    told_at: datetime,
    opened_at: datetime,
    min_lead: timedelta,
) -> StepDeadline:
    """The template's deadline: `offset_hours` after the overdose, but not before `min_lead`
    after the case opened. One that would fall before `told_at`, when the first person
    responsible was told (a fatal alert of the night is told in the morning), is due at once:
    at `told_at`, or `min_lead` after opening if that is later. Never before `told_at`."""
    planned = alert_at + timedelta(hours=offset_hours)
    floor = opened_at + min_lead
    if planned < told_at:
        return StepDeadline(max(told_at, floor), due_at_once=True)
    return StepDeadline(max(planned, floor), due_at_once=False)


def after_step_deadline(
    done_at: datetime,
    *,
    same_working_day: bool,
    hours: float | None,
    working: WorkingHours,
) -> datetime:
    """The deadline of a step that follows another, done at `done_at` (docs/rules.md,
    "Documentation as it happens"): `hours` after it; or, `same_working_day`, the end of the
    working day it was done on (a short day's end on a short day), or of the next working day
    when it was done outside working hours (in the evening, at a weekend, on a holiday)."""
    if not same_working_day:
        assert hours is not None
        return done_at + timedelta(hours=hours)
    local = done_at.astimezone(LOCAL)
    span = working.hours_on(local.date())
    if span is not None and local.time() < span[1]:
        return _utc(local.date(), span[1])
    start = next_working_start(done_at, working).astimezone(LOCAL)
    span = working.hours_on(start.date())
    assert span is not None  # a working start is on a working day
    return _utc(start.date(), span[1])


def remind_at(deadline: datetime, *, remind_before: timedelta, now: datetime) -> datetime | None:
    """When the owner is reminded of `deadline` set at `now` (the step open from then);
    None when that has passed, or when quiet hours leave no time for it before the deadline.

    `remind_before` ahead of the deadline; in quiet hours 21:00 the evening before if the
    step was open before then, else 08:00 if that is before the deadline, else None.
    """
    at = deadline - remind_before
    if at <= now:
        return None
    night = night_of(at)
    if night is None:
        return at
    if night.evening_reminder > now:
        return night.evening_reminder
    if night.ends_at < deadline:
        return night.ends_at
    return None


def next_attempt(
    now: datetime, *, retry_hours: float, requested: datetime | None = None
) -> datetime:
    """The deadline of the next attempt: `requested`, or `retry_hours` from now.

    Raises ValueError for a requested time not after `now`, or beyond MAX_NEXT_ATTEMPT.
    """
    if requested is None:
        return now + timedelta(hours=retry_hours)
    if requested.tzinfo is None or requested.utcoffset() is None:
        raise ValueError("give a time with its offset")
    if requested <= now:
        raise ValueError("the next attempt must be later than now")
    if requested > now + MAX_NEXT_ATTEMPT:
        raise ValueError(f"the next attempt must be within {MAX_NEXT_ATTEMPT.days} days")
    return requested.astimezone(UTC)


def is_overdue(deadline: datetime | None, *, active: bool, now: datetime) -> bool:
    """An active step whose deadline has come."""
    return active and deadline is not None and now >= deadline


@dataclass(frozen=True, slots=True)
class Timer:
    """A step's deadline and what has been told about it."""

    deadline: datetime
    remind_at: datetime | None
    reminded: bool = False
    overdue_told: bool = False


@dataclass(frozen=True, slots=True)
class Notices:
    """What is to be sent now, the timer after it, and when the engine next looks at it."""

    remind: bool
    overdue: bool
    timer: Timer
    next_due_at: datetime | None


def next_due_at(timer: Timer) -> datetime | None:
    """When the engine next has something to tell about the timer; None: nothing more (once
    the leader has been told it is overdue, a reminder is moot). The overdue notice of a
    deadline in quiet hours is due at 08:00 (`overdue_at`)."""
    if timer.overdue_told:
        return None
    if not timer.reminded and timer.remind_at is not None and timer.remind_at < timer.deadline:
        return timer.remind_at
    return overdue_at(timer.deadline)


def due_notices(timer: Timer, *, now: datetime) -> Notices:
    """What to send at `now`: the overdue notice once the deadline has come (a reminder not
    sent by then is dropped: it is too late for it), else the reminder once its time has.
    Nothing in quiet hours: what is due then waits until 08:00."""
    if is_quiet(now):
        due = next_due_at(timer)
        later = None if due is None else max(due, outside_quiet_hours(now))
        return Notices(remind=False, overdue=False, timer=timer, next_due_at=later)
    overdue = not timer.overdue_told and now >= overdue_at(timer.deadline)
    remind = (
        not overdue
        and not timer.overdue_told
        and not timer.reminded
        and timer.remind_at is not None
        and now >= timer.remind_at
    )
    after = Timer(
        deadline=timer.deadline,
        remind_at=timer.remind_at,
        reminded=timer.reminded or remind,
        overdue_told=timer.overdue_told or overdue,
    )
    return Notices(remind=remind, overdue=overdue, timer=after, next_due_at=next_due_at(after))
