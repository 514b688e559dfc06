"""What retention does when: pure functions of times and periods (docs/rules.md, "Retention").

An alert's identifying data is kept for the period after what ends its use: the closing of
its follow-up case (the municipality's case period), or, when no case was opened, its
arrival (the alert period). A case still open at that age is never purged: its leader is told
once instead (`Decision.FLAG`). Everything else that grows is due its period after a time of
its own (made, expired); `cutoff` turns a period into the bound the queries use, so a row is
due exactly when `start <= cutoff(now, period)`, the same instant as `due_at(start, period)
<= now`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Category(StrEnum):
    """What retention purges, each with its own period (`RetentionSettings`)."""

    CASE = "case"
    """An alert whose follow-up case closed: its identifying data."""
    ALERT = "alert"
    """An alert that opened no case: its identifying data."""
    FLAGGED = "flagged"
    """Not purged: a case still open at the age it would be; its leader was told."""
    ACCESS_LOG = "access_log"
    WEBHOOK_DELIVERY = "webhook_delivery"
    SIGNIN_LINK = "signin_link"
    SESSION = "session"
    OUTBOX_BODY = "outbox_body"
    TIMELINE_TEXT = "timeline_text"
    RATE_COUNTER = "rate_counter"
    USED_ONCE = "used_once"


class Decision(StrEnum):
    KEEP = "keep"
    PURGE = "purge"
    FLAG = "flag"


@dataclass(frozen=True, slots=True)
class CaseTimes:
    """The follow-up case of an alert, as far as retention needs it."""

    opened_at: datetime
    closed_at: datetime | None
    flagged: bool = False


def due_at(start: datetime, period: timedelta) -> datetime:
    """When a row that started at `start` is due."""
    return start + period


def cutoff(now: datetime, period: timedelta) -> datetime:
    """Rows that started at or before this are due at `now`."""
    return now - period


def is_due(start: datetime, period: timedelta, now: datetime) -> bool:
    return due_at(start, period) <= now


def case_period(municipality_days: int | None, default_days: int) -> timedelta:
    """The municipality's own case period, else the service's default."""
    return timedelta(days=municipality_days if municipality_days is not None else default_days)


def alert_decision(
    *,
    received_at: datetime,
    case: CaseTimes | None,
    purged: bool,
    case_period: timedelta,
    alert_period: timedelta,
    now: datetime,
) -> Decision:
    """What retention does with an alert at `now`: purge it, flag its open case, or keep it.

    A purged alert is kept as it is (nothing is purged twice); an alert without a case is due
    `alert_period` after it was received; one with a closed case `case_period` after it
    closed; an open case at `case_period` after it opened is flagged, once.
    """
    if purged:
        return Decision.KEEP
    if case is None:
        return Decision.PURGE if is_due(received_at, alert_period, now) else Decision.KEEP
    if case.closed_at is not None:
        return Decision.PURGE if is_due(case.closed_at, case_period, now) else Decision.KEEP
    if not case.flagged and is_due(case.opened_at, case_period, now):
        return Decision.FLAG
    return Decision.KEEP


def engine_due(last_run: datetime | None, interval: timedelta, now: datetime) -> bool:
    """Whether the engine runs at `now`: at once after a start, then at most every `interval`
    (a clock moved back runs it again rather than never)."""
    return last_run is None or now >= last_run + interval or now < last_run
