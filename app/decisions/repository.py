"""Queries on manual decisions."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.decisions.models import ManualDecision


def add(session: AsyncSession, decision: ManualDecision) -> None:
    session.add(decision)


async def list_for(session: AsyncSession, *, alert_id: uuid.UUID) -> list[ManualDecision]:
    """The alert's decisions in the order they were written (the log entry id increases)."""
    statement = (
        select(ManualDecision)
        .where(col(ManualDecision.alert_id) == alert_id)
        .order_by(col(ManualDecision.access_log_entry_id))
    )
    return list((await session.execute(statement)).scalars())
