"""Queries of retention: the alerts and cases due, the housekeeping of what grows, the log.

Due rows are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so two engines never take the
same rows; on SQLite each transaction begins IMMEDIATE (`app.db`), so writers queue and the
second sees what the first committed. `purged_at IS NULL` is part of every claim and again of
the purge's own UPDATE, so nothing is purged twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Table, delete, func, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from app.alerts.models import Alert
from app.answers.models import AlertAnswer
from app.audit.models import AccessLogEntry
from app.auth.staff.models import StaffSession, StaffSignInLink
from app.counters import RateCounter
from app.db import is_postgresql
from app.decisions.models import ManualDecision
from app.followup.cases.models import FollowupCase
from app.notify.models import OutboxMessage, OutboxStatus
from app.once import UsedOnce
from app.reporters.models import ReporterSession, ReporterSignInLink
from app.retention.models import RetentionGate, RetentionRun, RetentionSettingsRow
from app.retention.rules import CaseTimes, Category
from app.roster.models import Municipality
from app.webhooks.models import DeliveryStatus, WebhookDelivery

FINISHED_SMS = (
    OutboxStatus.SENT,
    OutboxStatus.DELIVERED,
    OutboxStatus.FAILED,
    OutboxStatus.CANCELLED,
)
FINISHED_DELIVERIES = (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An alert that may be due, with what the rule needs."""

    alert_id: uuid.UUID
    received_at: datetime
    case: CaseTimes | None
    purged: bool


async def municipalities(session: AsyncSession) -> list[tuple[str, int | None]]:
    """Every municipality's code and its own case period in days (None: the default)."""
    rows = await session.execute(
        select(Municipality.code, RetentionSettingsRow.case_days)
        .outerjoin(
            RetentionSettingsRow,
            col(RetentionSettingsRow.municipality_code) == col(Municipality.code),
        )
        .order_by(col(Municipality.code))
    )
    return [(code, days) for code, days in rows]


S = TypeVar("S", bound=Select[*tuple[Any, ...]] | SelectOfScalar[Any])


def _claim(session: AsyncSession, statement: S, limit: int, *, of: Any = Alert) -> S:
    """At most `limit` rows, locked on PostgreSQL, skipping those another engine holds."""
    limited = statement.limit(limit)
    if is_postgresql(session):
        limited = limited.with_for_update(skip_locked=True, of=of)
    return cast(S, limited)


def _candidate(alert: Alert, case: FollowupCase | None) -> Candidate:
    times = (
        CaseTimes(case.opened_at, case.closed_at, case.retention_flagged_at is not None)
        if case is not None
        else None
    )
    return Candidate(alert.id, alert.received_at, times, alert.purged_at is not None)


def closed_cases(statement: S, municipality_code: str) -> S:
    """`statement` over what the case period purges: the municipality's alerts whose case
    closed, not purged (the claims take these; the report counts them)."""
    closed = (
        statement.select_from(Alert)
        .join(FollowupCase, col(FollowupCase.alert_id) == col(Alert.id))
        .where(
            col(FollowupCase.municipality_code) == municipality_code,
            col(FollowupCase.closed_at).is_not(None),
            col(Alert.purged_at).is_(None),
        )
    )
    return cast(S, closed)


def caseless_alerts(statement: S, municipality_code: str) -> S:
    """`statement` over what the alert period purges: the municipality's alerts that opened
    no case, not purged."""
    caseless = (
        statement.select_from(Alert)
        .outerjoin(FollowupCase, col(FollowupCase.alert_id) == col(Alert.id))
        .where(
            col(Alert.municipality_code) == municipality_code,
            col(FollowupCase.id).is_(None),
            col(Alert.purged_at).is_(None),
        )
    )
    return cast(S, caseless)


async def claim_closed(
    session: AsyncSession, *, municipality_code: str, by: datetime, limit: int
) -> list[Candidate]:
    """Alerts of the municipality whose case closed at or before `by`, not purged,
    locked (skipping those another engine holds)."""
    statement = (
        closed_cases(select(Alert, FollowupCase), municipality_code)
        .where(col(FollowupCase.closed_at) <= by)
        .order_by(col(FollowupCase.closed_at))
    )
    rows = await session.execute(_claim(session, statement, limit))
    return [_candidate(alert, case) for alert, case in rows]


async def claim_caseless(
    session: AsyncSession, *, municipality_code: str, by: datetime, limit: int
) -> list[Candidate]:
    """Alerts of the municipality received at or before `by` that opened no case,
    not purged, locked."""
    statement = (
        caseless_alerts(select(Alert), municipality_code)
        .where(col(Alert.received_at) <= by)
        .order_by(col(Alert.received_at))
    )
    alerts = await session.execute(_claim(session, statement, limit))
    return [_candidate(alert, None) for alert in alerts.scalars()]


async def claim_open_to_flag(
    session: AsyncSession, *, municipality_code: str, opened_by: datetime, limit: int
) -> list[tuple[FollowupCase, Candidate]]:
    """Open cases of the municipality opened at or before `opened_by` whose leader was not
    told yet, locked."""
    statement = (
        select(Alert, FollowupCase)
        .join(FollowupCase, col(FollowupCase.alert_id) == col(Alert.id))
        .where(
            col(FollowupCase.municipality_code) == municipality_code,
            col(FollowupCase.closed_at).is_(None),
            col(FollowupCase.retention_flagged_at).is_(None),
            col(FollowupCase.opened_at) <= opened_by,
            col(Alert.purged_at).is_(None),
        )
        .order_by(col(FollowupCase.opened_at))
    )
    rows = await session.execute(_claim(session, statement, limit, of=FollowupCase))
    return [(case, _candidate(alert, case)) for alert, case in rows]


async def mark_flagged(session: AsyncSession, case_id: uuid.UUID, *, now: datetime) -> bool:
    """Mark the case flagged unless it is already; whether this call marked it."""
    result = await session.execute(
        update(FollowupCase)
        .where(col(FollowupCase.id) == case_id, col(FollowupCase.retention_flagged_at).is_(None))
        .values(retention_flagged_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def log_run(
    session: AsyncSession,
    category: Category,
    count: int,
    *,
    now: datetime,
    municipality_code: str | None = None,
) -> None:
    if count:
        session.add(
            RetentionRun(
                at=now, category=category.value, municipality_code=municipality_code, count=count
            )
        )


# Housekeeping: rows deleted (or blanked) a period after a time of their own.


@dataclass(frozen=True, slots=True)
class Housekeeping:
    """A category cleared by deleting rows of `table` whose `clock` column is at or before
    the cutoff (and that meet `extra`)."""

    category: Category
    table: Table
    clock: Any
    """The column of the time the period runs from."""
    extra: tuple[ColumnElement[bool], ...] = ()

    def where(self, cutoff: datetime) -> list[ColumnElement[bool]]:
        return [self.clock <= cutoff, *self.extra]


def _table(model: object) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def deletions() -> list[Housekeeping]:
    """The deleting categories; a category may clear several tables (both kinds of links)."""
    kept_by_a_decision = col(AccessLogEntry.id).not_in(select(ManualDecision.access_log_entry_id))
    return [
        Housekeeping(
            Category.ACCESS_LOG,
            _table(AccessLogEntry),
            col(AccessLogEntry.at),
            (kept_by_a_decision,),
        ),
        Housekeeping(
            Category.WEBHOOK_DELIVERY,
            _table(WebhookDelivery),
            col(WebhookDelivery.created_at),
            (col(WebhookDelivery.status).in_(FINISHED_DELIVERIES),),
        ),
        Housekeeping(
            Category.SIGNIN_LINK, _table(StaffSignInLink), col(StaffSignInLink.expires_at)
        ),
        Housekeeping(
            Category.SIGNIN_LINK, _table(ReporterSignInLink), col(ReporterSignInLink.expires_at)
        ),
        Housekeeping(
            Category.SESSION,
            _table(StaffSession),
            col(StaffSession.expires_at),
            (col(StaffSession.id).not_in(_sessions_of_links()),),
        ),
        Housekeeping(Category.SESSION, _table(ReporterSession), col(ReporterSession.expires_at)),
        Housekeeping(Category.RATE_COUNTER, _table(RateCounter), col(RateCounter.expires_at)),
        Housekeeping(Category.USED_ONCE, _table(UsedOnce), col(UsedOnce.expires_at)),
    ]


def _sessions_of_links() -> SelectOfScalar[Any]:
    """A staff session a kept sign-in link names stays until the link goes (a foreign key)."""
    return select(StaffSignInLink.session_id).where(col(StaffSignInLink.session_id).is_not(None))


async def delete_due(
    session: AsyncSession, job: Housekeeping, *, cutoff: datetime, limit: int
) -> int:
    """Delete up to `limit` due rows of the job's table (locked first on PostgreSQL); how many.
    The access log's deletes pass its append-only triggers through a `RetentionGate`."""
    key = list(job.table.primary_key.columns)
    statement = select(*key).where(*job.where(cutoff)).limit(limit)
    if is_postgresql(session):
        statement = statement.with_for_update(skip_locked=True)
    rows = [tuple(row) for row in await session.execute(statement)]
    if not rows:
        return 0
    target = key[0].in_([row[0] for row in rows]) if len(key) == 1 else tuple_(*key).in_(rows)
    if job.category is Category.ACCESS_LOG:
        gate = RetentionGate(access_log_before=cutoff)
        session.add(gate)
        await session.flush()
        await session.execute(delete(job.table).where(target))
        await session.delete(gate)
        await session.flush()
    else:
        await session.execute(delete(job.table).where(target))
    return len(rows)


def _outbox_due(cutoff: datetime) -> list[ColumnElement[bool]]:
    return [
        col(OutboxMessage.created_at) <= cutoff,
        col(OutboxMessage.status).in_(FINISHED_SMS),
        col(OutboxMessage.body) != "",
    ]


async def blank_outbox(session: AsyncSession, *, cutoff: datetime, limit: int) -> int:
    """Blank the text and number of up to `limit` finished SMS made at or before `cutoff`."""
    statement = select(OutboxMessage.id).where(*_outbox_due(cutoff)).limit(limit)
    if is_postgresql(session):
        statement = statement.with_for_update(skip_locked=True)
    ids = list((await session.execute(statement)).scalars())
    if ids:
        await session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(ids))
            .values(body="", to_number="")
            .execution_options(synchronize_session=False)
        )
    return len(ids)


def _crew_text_due(cutoff: datetime) -> list[ColumnElement[bool]]:
    return [col(AlertAnswer.free_text).is_not(None), col(AlertAnswer.created_at) <= cutoff]


async def alerts_with_crew_text(
    session: AsyncSession, *, cutoff: datetime, limit: int
) -> list[uuid.UUID]:
    """Alerts with free text answered to the crew at or before `cutoff` (locked)."""
    statement = (
        select(Alert.id)
        .where(col(Alert.id).in_(select(AlertAnswer.alert_id).where(*_crew_text_due(cutoff))))
        .limit(limit)
    )
    if is_postgresql(session):
        statement = statement.with_for_update(skip_locked=True)
    return list((await session.execute(statement)).scalars())


# The report's counts.


async def purged_so_far(session: AsyncSession, *, municipality_code: str | None) -> dict[str, int]:
    """The log's totals by category (of the municipality's alerts and cases, and every
    municipality's other categories)."""
    statement = select(RetentionRun.category, func.sum(RetentionRun.count)).group_by(
        col(RetentionRun.category)
    )
    if municipality_code is not None:
        statement = statement.where(
            (col(RetentionRun.municipality_code) == municipality_code)
            | col(RetentionRun.municipality_code).is_(None)
        )
    rows = await session.execute(statement)
    return {category: int(total or 0) for category, total in rows}


@dataclass(frozen=True, slots=True)
class Pending:
    """Of a category's rows: how many start at or before the cutoff (due, not yet purged),
    the earliest start after it, and how many start after it up to the horizon."""

    overdue: int
    next_start: datetime | None
    upcoming: int


async def pending(
    session: AsyncSession, starts: SelectOfScalar[Any], *, cutoff: datetime, horizon: datetime
) -> Pending:
    """`Pending` of the rows whose start times `starts` selects."""
    rows = starts.subquery()
    start = rows.c[0]

    async def count(*where: ColumnElement[bool]) -> int:
        return int(
            (
                await session.execute(select(func.count()).select_from(rows).where(*where))
            ).scalar_one()
        )

    first = (await session.execute(select(func.min(start)).where(start > cutoff))).scalar_one()
    return Pending(
        await count(start <= cutoff), first, await count(start > cutoff, start <= horizon)
    )


async def flagged_among(session: AsyncSession, case_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Of `case_ids`, the open cases flagged at their retention age."""
    if not case_ids:
        return set()
    rows = await session.execute(
        select(FollowupCase.id).where(
            col(FollowupCase.id).in_(case_ids),
            col(FollowupCase.retention_flagged_at).is_not(None),
            col(FollowupCase.closed_at).is_(None),
        )
    )
    return set(rows.scalars())


async def flagged_cases(session: AsyncSession, *, municipality_code: str | None) -> int:
    """Open cases whose leader was told they reached the retention age."""
    statement = select(func.count()).where(
        col(FollowupCase.retention_flagged_at).is_not(None), col(FollowupCase.closed_at).is_(None)
    )
    if municipality_code is not None:
        statement = statement.where(col(FollowupCase.municipality_code) == municipality_code)
    return int((await session.execute(statement)).scalar_one())
