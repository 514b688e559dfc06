"""Queries on alert events."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.timeline.models import AlertEvent


def add(session: AsyncSession, event: AlertEvent) -> None:
    session.add(event)


async def list_for(session: AsyncSession, *, alert_id: uuid.UUID) -> list[AlertEvent]:
    statement = (
        select(AlertEvent).where(col(AlertEvent.alert_id) == alert_id).order_by(col(AlertEvent.seq))
    )
    return list((await session.execute(statement)).scalars())
