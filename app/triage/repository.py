"""Queries on triage tables."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.triage.models import TriageTableRow


async def get_table(session: AsyncSession, *, municipality_code: str) -> TriageTableRow | None:
    return await session.get(TriageTableRow, municipality_code)


async def save_table(session: AsyncSession, row: TriageTableRow) -> None:
    await session.merge(row)
