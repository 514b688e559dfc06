"""Queries on inform duties."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.informing.models import InformDuty


def add(session: AsyncSession, duty: InformDuty) -> None:
    session.add(duty)


async def list_for(session: AsyncSession, *, alert_id: uuid.UUID) -> list[InformDuty]:
    """The alert's duties, oldest first (the id breaks ties between duties opened together)."""
    statement = (
        select(InformDuty)
        .where(col(InformDuty.alert_id) == alert_id)
        .order_by(col(InformDuty.opened_at), col(InformDuty.id))
    )
    return list((await session.execute(statement)).scalars())


async def get_for_alert(
    session: AsyncSession, *, alert_id: uuid.UUID, duty_id: uuid.UUID
) -> InformDuty | None:
    statement = select(InformDuty).where(
        col(InformDuty.id) == duty_id, col(InformDuty.alert_id) == alert_id
    )
    return (await session.execute(statement)).scalar_one_or_none()
