"""`odvarsel retention report`: per category its period, what was purged so far (the log),
what is overdue (due, not yet purged: the engine has not run, or cannot keep up), when the
next falls due and how many within `HORIZON`; and the open cases flagged to their leader.

Counts only: no row, id or value is shown. Alerts and cases are counted by municipality, each
with its own case period; the other categories are the service's, whatever `--municipality`
says (the access log is counted for the municipality's entries).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.alerts.models import Alert
from app.answers.models import AlertAnswer
from app.audit.models import AccessLogEntry
from app.config.sections import RetentionSettings
from app.followup.cases.models import FollowupCase
from app.notify.models import OutboxMessage
from app.retention import repository, rules
from app.retention.engine import housekeeping_periods
from app.retention.rules import Category

Starts = SelectOfScalar[Any]
"""The start times (closed, received, made, expired) of a category's rows not yet purged."""

HORIZON = timedelta(days=30)
""""Next due" counts what falls due within this time from now."""


@dataclass(frozen=True, slots=True)
class Line:
    category: Category
    period: timedelta | None
    """None: the municipalities' case periods differ (the report of every municipality)."""
    purged: int
    overdue: int
    next_due: datetime | None
    upcoming: int
    """How many fall due after now, within `HORIZON`."""


@dataclass(frozen=True, slots=True)
class Report:
    now: datetime
    municipality_code: str | None
    lines: list[Line]
    flagged: int
    """Open cases whose leader was told they reached the age (not purged)."""


async def build(
    session: AsyncSession,
    policy: RetentionSettings,
    *,
    now: datetime,
    municipality_code: str | None = None,
) -> Report:
    purged = await repository.purged_so_far(session, municipality_code=municipality_code)
    municipalities = [
        (code, rules.case_period(days, policy.case_days))
        for code, days in await repository.municipalities(session)
        if municipality_code in (None, code)
    ]
    alert_period = timedelta(days=policy.alert_days)
    lines = [
        await _of_municipalities(
            session,
            Category.CASE,
            partial(repository.closed_cases, select(FollowupCase.closed_at)),
            municipalities,
            purged,
            now=now,
        ),
        await _of_municipalities(
            session,
            Category.ALERT,
            partial(repository.caseless_alerts, select(Alert.received_at)),
            [(code, alert_period) for code, _ in municipalities],
            purged,
            now=now,
        ),
        await _of_municipalities(
            session, Category.FLAGGED, _open_unflagged, municipalities, purged, now=now
        ),
    ]
    periods = housekeeping_periods(policy)
    for category, starts in _housekeeping(municipality_code).items():
        period = periods[category]
        pending = [
            await repository.pending(
                session, s, cutoff=rules.cutoff(now, period), horizon=now + HORIZON - period
            )
            for s in starts
        ]
        lines.append(_line(category, period, purged, pending, {period: pending}))
    flagged = await repository.flagged_cases(session, municipality_code=municipality_code)
    return Report(now, municipality_code, lines, flagged)


def _open_unflagged(code: str) -> Starts:
    return select(FollowupCase.opened_at).where(
        col(FollowupCase.municipality_code) == code,
        col(FollowupCase.closed_at).is_(None),
        col(FollowupCase.retention_flagged_at).is_(None),
    )


async def _of_municipalities(
    session: AsyncSession,
    category: Category,
    starts: Callable[[str], Starts],
    municipalities: list[tuple[str, timedelta]],
    purged: dict[str, int],
    *,
    now: datetime,
) -> Line:
    by_period: dict[timedelta, list[repository.Pending]] = {}
    pending = []
    for code, period in municipalities:
        found = await repository.pending(
            session,
            starts(code),
            cutoff=rules.cutoff(now, period),
            horizon=now + HORIZON - period,
        )
        by_period.setdefault(period, []).append(found)
        pending.append(found)
    periods = set(by_period)
    return _line(category, periods.pop() if len(periods) == 1 else None, purged, pending, by_period)


def _line(
    category: Category,
    period: timedelta | None,
    purged: dict[str, int],
    pending: list[repository.Pending],
    by_period: dict[timedelta, list[repository.Pending]],
) -> Line:
    next_due = min(
        (
            rules.due_at(p.next_start, each)
            for each, found in by_period.items()
            for p in found
            if p.next_start is not None
        ),
        default=None,
    )
    return Line(
        category,
        period,
        purged.get(category.value, 0),
        sum(p.overdue for p in pending),
        next_due,
        sum(p.upcoming for p in pending),
    )


def _housekeeping(municipality_code: str | None) -> dict[Category, list[Starts]]:
    """The start times of each housekeeping category's rows not yet cleared."""
    starts: dict[Category, list[Starts]] = {}
    for job in repository.deletions():
        statement = select(job.clock).where(*job.extra)
        if job.category is Category.ACCESS_LOG and municipality_code is not None:
            statement = statement.where(col(AccessLogEntry.municipality_code) == municipality_code)
        starts.setdefault(job.category, []).append(statement)
    starts[Category.OUTBOX_BODY] = [
        select(OutboxMessage.created_at).where(
            col(OutboxMessage.status).in_(repository.FINISHED_SMS), col(OutboxMessage.body) != ""
        )
    ]
    starts[Category.TIMELINE_TEXT] = [
        select(AlertAnswer.created_at).where(col(AlertAnswer.free_text).is_not(None))
    ]
    return starts


def render(report: Report) -> str:
    """The report as the command prints it: one line per category."""
    where = f"municipality {report.municipality_code}" if report.municipality_code else "all"
    lines = [
        f"retention at {_when(report.now)} ({where}); next due: within {HORIZON.days} days",
        f"{'category':<17} {'period':>8} {'purged':>8} {'overdue':>8}  {'next due':<17} "
        f"{'within':>6}",
    ]
    for line in report.lines:
        period = f"{line.period.days} d" if line.period is not None else "varies"
        lines.append(
            f"{line.category.value:<17} {period:>8} {line.purged:>8} {line.overdue:>8}  "
            f"{_when(line.next_due) if line.next_due else '-':<17} {line.upcoming:>6}"
        )
    lines.append(f"never-closed cases flagged to their leader: {report.flagged}")
    return "\n".join(lines)


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")
