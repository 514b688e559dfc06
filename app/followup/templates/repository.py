"""Queries on the municipalities' own templates."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.followup.templates.models import FollowupTemplateRow


async def get_template(
    session: AsyncSession, *, municipality_code: str, kind: str
) -> FollowupTemplateRow | None:
    return await session.get(FollowupTemplateRow, (municipality_code, kind))


async def save_template(session: AsyncSession, row: FollowupTemplateRow) -> None:
    await session.merge(row)
