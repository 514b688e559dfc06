"""Queries on escalation state. Claims use FOR UPDATE SKIP LOCKED on PostgreSQL."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Exists, and_, bindparam, exists, func, insert, update
from sqlalchemy import select as sql_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.db import claim, is_postgresql, one_or_none
from app.escalation.engine.messages import SUBJECT_KIND
from app.escalation.engine.models import EscalationState, EscalationStatus
from app.notify.models import OutboxMessage
from app.notify.outbox import WAKE_CHANNEL
from app.roster.models import Team

_TABLE: Any = EscalationState.__table__  # type: ignore[attr-defined]


async def open_for_alert_team(
    session: AsyncSession, values: dict[str, Any], *, municipality_code: str
) -> bool:
    """Insert the escalation for the team that receives the municipality's alerts and, on
    PostgreSQL, NOTIFY the workers (delivered on commit), in one statement: intake runs it for
    every alert, where the team's SELECT, the INSERT and the NOTIFY were three round trips.
    False when no team receives them: nothing was inserted."""
    statement = _open_statement(tuple(values), postgresql=is_postgresql(session))
    parameters = {**values, "municipality": municipality_code}
    return (await session.execute(statement, parameters)).first() is not None


@functools.cache
def _open_statement(names: tuple[str, ...], *, postgresql: bool) -> Any:
    """Built once per column set and database: every alert only binds its values."""
    chosen = sql_select(
        *(bindparam(name, type_=_TABLE.c[name].type).label(name) for name in names),
        col(Team.id).label("team_id"),
    ).where(col(Team.municipality_code) == bindparam("municipality"), col(Team.receives_alerts))
    statement: Any = insert(_TABLE).from_select([*names, "team_id"], chosen)
    statement = statement.returning(_TABLE.c.id)
    if postgresql:
        opened = statement.cte("opened")
        statement = sql_select(opened.c.id, func.pg_notify(WAKE_CHANNEL, "")).select_from(opened)
    return statement


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        col(EscalationState.status) == EscalationStatus.ACTIVE,
        col(EscalationState.next_due_at) <= now,
    )


def any_due(now: datetime) -> Exists:
    """Whether `claim_due` would find an escalation (the worker's idle probe)."""
    return exists().where(_due(now))


async def claim_due(session: AsyncSession, *, now: datetime, limit: int) -> list[EscalationState]:
    statement = (
        select(EscalationState)
        .where(_due(now))
        .order_by(col(EscalationState.next_due_at))
        .limit(limit)
    )
    return await claim(session, statement)


async def get_by_alert(
    session: AsyncSession, *, alert_id: uuid.UUID, for_update: bool = False
) -> EscalationState | None:
    statement = select(EscalationState).where(col(EscalationState.alert_id) == alert_id)
    # Afresh: a colleague may have taken the alert since the session read the row.
    return await one_or_none(session, statement, for_update=for_update, afresh=True)


async def postpone(session: AsyncSession, *, state_id: uuid.UUID, until: datetime) -> None:
    await session.execute(
        update(EscalationState).where(col(EscalationState.id) == state_id).values(next_due_at=until)
    )


async def paged_with_code(
    session: AsyncSession, *, reply_code: str, number: str, purposes: Collection[str]
) -> EscalationState | None:
    """The newest escalation that sent this reply code to `number` in a message of these
    purposes (codes repeat over time; the number tells them apart)."""
    paged = (
        select(OutboxMessage.subject_id)
        .where(
            col(OutboxMessage.subject_kind) == SUBJECT_KIND,
            col(OutboxMessage.to_number) == number,
            col(OutboxMessage.purpose).in_(list(purposes)),
        )
        .scalar_subquery()
    )
    statement = (
        select(EscalationState)
        .where(
            col(EscalationState.reply_code) == reply_code, col(EscalationState.alert_id).in_(paged)
        )
        .order_by(col(EscalationState.started_at).desc())
        .limit(1)
    )
    return (await session.execute(statement)).scalar_one_or_none()
