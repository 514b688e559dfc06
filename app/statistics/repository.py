"""Queries on the facts, and the reads of the alerts and cases they are made from (read only,
as `app.metrics` reads several domains' columns). `person_key` is only ever counted here
(COUNT DISTINCT): it is never selected, so it never leaves the database."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, false, func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.alerts.models import Alert
from app.followup.cases.models import FollowupCase, FollowupStep
from app.followup.state import StepState
from app.statistics.models import AlertFact

FACT_COLUMNS = tuple(
    column
    for column in AlertFact.__table__.columns  # type: ignore[attr-defined]
    if column.name not in {"person_key", "alert_id", "frozen", "refreshed_at"}
)
"""What a count reads of a fact: never the person key."""


async def facts_in(
    session: AsyncSession, *, municipality: str, months: Sequence[str]
) -> list[dict[str, Any]]:
    """The facts of `months` (`FACT_COLUMNS`: never the person key)."""
    rows = await session.execute(
        select(*FACT_COLUMNS).where(
            col(AlertFact.municipality_code) == municipality, col(AlertFact.month).in_(months)
        )
    )
    return [dict(row._mapping) for row in rows]


async def distinct_persons(
    session: AsyncSession, *, municipality: str, periods: Mapping[str, Sequence[str]]
) -> dict[str, int]:
    """Distinct persons of each period (key -> its months), counted in the database."""
    counts: dict[str, int] = {}
    for key, months in periods.items():
        counted = await session.scalar(
            select(func.count(distinct(col(AlertFact.person_key)))).where(
                col(AlertFact.municipality_code) == municipality,
                col(AlertFact.month).in_(months),
            )
        )
        counts[key] = int(counted or 0)
    return counts


async def alerts_to_refresh(
    session: AsyncSession, *, received_since: datetime, refreshed_before: datetime, limit: int
) -> Sequence[uuid.UUID]:
    """Alerts whose fact is missing, or not frozen, of an alert received since
    `received_since` and not refreshed since `refreshed_before` (`app.statistics.engine`)."""
    rows = await session.execute(
        select(Alert.id)
        .outerjoin(AlertFact, col(AlertFact.alert_id) == col(Alert.id))
        .where(
            or_(
                col(AlertFact.alert_id).is_(None),
                col(AlertFact.frozen).is_(False)
                & (col(Alert.received_at) >= received_since)
                & or_(
                    col(AlertFact.refreshed_at).is_(None),
                    col(AlertFact.refreshed_at) < refreshed_before,
                ),
            )
        )
        .order_by(col(Alert.received_at))
        .limit(limit)
    )
    return list(rows.scalars())


async def alerts(session: AsyncSession, alert_ids: Sequence[uuid.UUID]) -> Sequence[Alert]:
    """By id: every writer of facts (the engine of several workers, the retention engine)
    upserts them in the same order, so two transactions never wait on each other in a
    circle (a deadlock on PostgreSQL)."""
    result = await session.execute(
        select(Alert).where(col(Alert.id).in_(alert_ids)).order_by(col(Alert.id))
    )
    return list(result.scalars())


async def counted_steps(
    session: AsyncSession, alert_ids: Sequence[uuid.UUID], *, keys: Sequence[str]
) -> dict[uuid.UUID, dict[str, tuple[StepState, datetime | None]]]:
    """The steps `keys` (state, recorded at) of each alert's case, by alert; an alert with a
    case but none of the steps maps to {}; one without a case is absent."""
    rows = await session.execute(
        select(
            FollowupCase.alert_id, FollowupStep.key, FollowupStep.state, FollowupStep.recorded_at
        )
        .select_from(FollowupCase)
        .outerjoin(
            FollowupStep,
            (col(FollowupStep.case_id) == col(FollowupCase.id)) & col(FollowupStep.key).in_(keys),
        )
        .where(col(FollowupCase.alert_id).in_(alert_ids))
    )
    steps: dict[uuid.UUID, dict[str, tuple[StepState, datetime | None]]] = {}
    for alert_id, key, state, recorded_at in rows:
        of_alert = steps.setdefault(alert_id, {})
        if key is not None:
            of_alert[key] = (StepState(state), recorded_at)
    return steps


_FACT_TABLE = AlertFact.__table__  # type: ignore[attr-defined]


async def upsert_fact(session: AsyncSession, alert_id: uuid.UUID, row: dict[str, Any]) -> int:
    """Write the alert's fact unless it is frozen (ON CONFLICT ... WHERE NOT frozen, on both
    databases); 1 if written, else 0."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(_FACT_TABLE)
        .values(alert_id=alert_id, **row)
        .on_conflict_do_update(
            index_elements=["alert_id"], set_=row, where=_FACT_TABLE.c.frozen == false()
        )
        .returning(_FACT_TABLE.c.alert_id)
    )
    return 1 if (await session.execute(statement)).first() is not None else 0
