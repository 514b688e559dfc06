"""Queries on the facts. `person_key` is only ever counted here (COUNT DISTINCT): it is never
selected, so it never leaves the database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.alerts.models import Alert
from app.statistics.cube import Period, periods_of_year
from app.statistics.models import AlertFact

FACT_COLUMNS = tuple(
    column
    for column in AlertFact.__table__.columns  # type: ignore[attr-defined]
    if column.name not in {"person_key", "alert_id", "frozen", "refreshed_at"}
)
"""What a count reads of a fact: never the person key."""


async def facts_of_year(
    session: AsyncSession, *, municipality: str, year: int
) -> list[dict[str, Any]]:
    months = Period(year).months
    rows = await session.execute(
        select(*FACT_COLUMNS).where(
            col(AlertFact.municipality_code) == municipality, col(AlertFact.month).in_(months)
        )
    )
    return [dict(row._mapping) for row in rows]


async def persons_of_year(session: AsyncSession, *, municipality: str, year: int) -> dict[str, int]:
    """Distinct persons per period key of the year (months, half-years, the year)."""
    counts: dict[str, int] = {}
    for period in periods_of_year(year):
        counts[period.key] = int(
            await session.scalar(
                select(func.count(distinct(col(AlertFact.person_key)))).where(
                    col(AlertFact.municipality_code) == municipality,
                    col(AlertFact.month).in_(period.months),
                )
            )
            or 0
        )
    return counts


async def alerts_to_refresh(
    session: AsyncSession, *, received_since: datetime, limit: int
) -> Sequence[uuid.UUID]:
    """Alerts whose fact is missing, or not frozen and of an alert received since
    `received_since` (`app.statistics.engine`)."""
    rows = await session.execute(
        select(Alert.id)
        .outerjoin(AlertFact, col(AlertFact.alert_id) == col(Alert.id))
        .where(
            or_(
                col(AlertFact.alert_id).is_(None),
                (col(AlertFact.frozen).is_(False)) & (col(Alert.received_at) >= received_since),
            )
        )
        .order_by(col(Alert.received_at))
        .limit(limit)
    )
    return list(rows.scalars())
