"""Queries on cases, steps and events. Claims use FOR UPDATE SKIP LOCKED on
PostgreSQL, so several workers share the deadlines and none tells one twice."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.alerts.models import Alert
from app.db import claim, is_postgresql, one_or_none
from app.followup.cases.models import (
    CaseEventKind,
    FollowupCase,
    FollowupEvent,
    FollowupStep,
)


async def case_of_alert(session: AsyncSession, *, alert_id: uuid.UUID) -> FollowupCase | None:
    statement = select(FollowupCase).where(col(FollowupCase.alert_id) == alert_id)
    return (await session.execute(statement)).scalar_one_or_none()


async def get_case(
    session: AsyncSession, *, case_id: uuid.UUID, for_update: bool = False
) -> FollowupCase | None:
    statement = select(FollowupCase).where(col(FollowupCase.id) == case_id)
    return await one_or_none(session, statement, for_update=for_update, afresh=True)


async def cases_by_id(
    session: AsyncSession, case_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, FollowupCase]:
    if not case_ids:
        return {}
    statement = select(FollowupCase).where(col(FollowupCase.id).in_(list(case_ids)))
    return {c.id: c for c in (await session.execute(statement)).scalars()}


async def steps_of(
    session: AsyncSession, *, case_id: uuid.UUID, for_update: bool = False
) -> list[FollowupStep]:
    statement = (
        select(FollowupStep)
        .where(col(FollowupStep.case_id) == case_id)
        .order_by(col(FollowupStep.position))
    )
    if for_update:
        statement = statement.execution_options(populate_existing=True)
        if is_postgresql(session):
            statement = statement.with_for_update()
    return list((await session.execute(statement)).scalars())


async def steps_of_cases(
    session: AsyncSession, *, case_ids: Collection[uuid.UUID]
) -> list[FollowupStep]:
    """The steps of several cases, by deadline."""
    if not case_ids:
        return []
    statement = (
        select(FollowupStep)
        .where(col(FollowupStep.case_id).in_(list(case_ids)))
        .order_by(col(FollowupStep.deadline), col(FollowupStep.position))
    )
    return list((await session.execute(statement)).scalars())


async def events_of(session: AsyncSession, *, case_id: uuid.UUID) -> list[FollowupEvent]:
    statement = (
        select(FollowupEvent)
        .where(col(FollowupEvent.case_id) == case_id)
        .order_by(col(FollowupEvent.seq))
    )
    return list((await session.execute(statement)).scalars())


def add_event(
    session: AsyncSession,
    *,
    case_id: uuid.UUID,
    kind: CaseEventKind,
    at: datetime,
    by: str | None = None,
    step_key: str | None = None,
    outcome: str | None = None,
    note_sealed: str | None = None,
    deadline: datetime | None = None,
    member_id: uuid.UUID | None = None,
) -> None:
    """Add an event to the case's history (kept, never changed); its note sealed already."""
    session.add(
        FollowupEvent(
            case_id=case_id,
            at=at,
            kind=kind,
            step_key=step_key,
            by=by,
            outcome=outcome,
            note_sealed=note_sealed,
            deadline=deadline,
            member_id=member_id,
        )
    )


async def list_cases(
    session: AsyncSession,
    *,
    municipalities: list[str] | None,
    states: Collection[str],
    now: datetime,
    offset: int,
    limit: int,
) -> list[tuple[FollowupCase, datetime | None, int, int]]:
    """Cases with their next deadline, their active and overdue steps: overdue first, then
    by the next deadline, then the newest. `municipalities` None: every one."""
    active = (
        select(
            col(FollowupStep.case_id).label("case_id"),
            func.min(FollowupStep.deadline).label("next_deadline"),
            func.count().label("active_steps"),
            func.sum(case((col(FollowupStep.deadline) <= now, 1), else_=0)).label("overdue_steps"),
        )
        .where(col(FollowupStep.active).is_(True))
        .group_by(col(FollowupStep.case_id))
        .subquery()
    )
    statement = (
        select(FollowupCase, active.c.next_deadline, active.c.active_steps, active.c.overdue_steps)
        .outerjoin(active, active.c.case_id == col(FollowupCase.id))
        .where(col(FollowupCase.state).in_(list(states)))
        .order_by(
            case((active.c.overdue_steps > 0, 0), else_=1),
            active.c.next_deadline.is_(None),
            active.c.next_deadline,
            col(FollowupCase.opened_at).desc(),
            col(FollowupCase.id),
        )
        .offset(offset)
        .limit(limit)
    )
    if municipalities is not None:
        statement = statement.where(col(FollowupCase.municipality_code).in_(municipalities))
    rows = (await session.execute(statement)).all()
    return [(row[0], row[1], int(row[2] or 0), int(row[3] or 0)) for row in rows]


def _step_due(now: datetime) -> ColumnElement[bool]:
    return and_(col(FollowupStep.next_due_at) <= now, col(FollowupStep.active).is_(True))


async def claim_due(session: AsyncSession, *, now: datetime, limit: int) -> list[FollowupStep]:
    """Active steps whose reminder or deadline has come, locked for this round."""
    statement = (
        select(FollowupStep)
        .where(_step_due(now))
        .order_by(col(FollowupStep.next_due_at))
        .limit(limit)
    )
    return await claim(session, statement)


async def postpone(
    session: AsyncSession, *, step_ids: Collection[uuid.UUID], until: datetime
) -> None:
    await session.execute(
        update(FollowupStep)
        .where(col(FollowupStep.id).in_(list(step_ids)))
        .values(next_due_at=until)
    )


async def alerts_without_case(
    session: AsyncSession,
    *,
    triage_actions: Collection[str],
    since: datetime,
    now: datetime,
    limit: int,
) -> list[uuid.UUID]:
    """Alerts received since `since`, triaged one of `triage_actions`, whose work has started
    (`triage_page_at` has come), and objected fatal alerts (their anonymous case), that have
    no case and were not purged."""
    statement = (
        select(Alert.id)
        .where(_without_case(triage_actions, since=since, now=now))
        .order_by(col(Alert.received_at))
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())


def _without_case(
    triage_actions: Collection[str], *, since: datetime, now: datetime
) -> ColumnElement[bool]:
    has_case = exists().where(col(FollowupCase.alert_id) == col(Alert.id))
    return and_(
        col(Alert.received_at) >= since,
        or_(
            and_(
                col(Alert.triage_action).in_(list(triage_actions)),
                col(Alert.triage_page_at) <= now,
                col(Alert.consent_state) != "objected",
            ),
            # An objected fatal alert opens its anonymous case at once: nobody is paged.
            and_(col(Alert.consent_state) == "objected", col(Alert.kind) == "fatal"),
        ),
        ~has_case,
        col(Alert.purged_at).is_(None),  # retention took its identity: no case now
    )


def any_due(
    triage_actions: Collection[str], *, since: datetime, now: datetime
) -> ColumnElement[bool]:
    """Whether the follow-up engine would find work: a step due, or a case to open (the
    worker's idle probe)."""
    return or_(
        exists().where(_step_due(now)),
        exists().where(_without_case(triage_actions, since=since, now=now)),
    )
