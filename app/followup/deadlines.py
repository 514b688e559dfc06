"""When a step is due, when its owner is reminded, and when it is overdue (pure).

A step's deadline counts from the overdose (the template's offset), never sooner than the
template's minimum lead after the case opened. The owner is reminded a while before it; if
that moment has passed already when the deadline is set, there is no reminder. Each deadline
is told once: one reminder, one overdue notice to the leader. A new deadline (a next attempt,
a reopened step) is told afresh. The engine stores `next_due_at` from `after_notices` and
claims the rows whose time has come.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

MAX_NEXT_ATTEMPT = timedelta(days=30)
"""A next attempt is at most this far ahead."""


def planned_deadline(
    alert_at: datetime, *, offset_hours: float, opened_at: datetime, min_lead: timedelta
) -> datetime:
    """The template's deadline: `offset_hours` after the overdose, but not before
    `min_lead` after the case opened."""
    return max(alert_at + timedelta(hours=offset_hours), opened_at + min_lead)


def remind_at(deadline: datetime, *, remind_before: timedelta, now: datetime) -> datetime | None:
    """When the owner is reminded of `deadline` set at `now`; None when that has passed."""
    at = deadline - remind_before
    return at if at > now else None


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
    """What is to be sent now, and the timer after it."""

    remind: bool
    overdue: bool
    timer: Timer

    @property
    def next_due_at(self) -> datetime | None:
        return next_due_at(self.timer)


def next_due_at(timer: Timer) -> datetime | None:
    """When the engine next has something to tell about the timer; None: nothing more (once
    the leader has been told it is overdue, a reminder is moot)."""
    if timer.overdue_told:
        return None
    if not timer.reminded and timer.remind_at is not None and timer.remind_at < timer.deadline:
        return timer.remind_at
    return timer.deadline


def due_notices(timer: Timer, *, now: datetime) -> Notices:
    """What to send at `now`: the overdue notice once the deadline has come (a reminder not
    sent by then is dropped: it is too late for it), else the reminder once its time has."""
    overdue = not timer.overdue_told and now >= timer.deadline
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
    return Notices(remind=remind, overdue=overdue, timer=after)
