"""Queries on the municipalities' follow-up settings."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.followup.settings.models import FollowupSettingsRow


async def get_settings(
    session: AsyncSession, *, municipality_code: str
) -> FollowupSettingsRow | None:
    return await session.get(FollowupSettingsRow, municipality_code)


async def save_settings(session: AsyncSession, row: FollowupSettingsRow) -> FollowupSettingsRow:
    return await session.merge(row)
