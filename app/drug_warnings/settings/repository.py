"""Queries on the municipalities' warning settings."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.drug_warnings.settings.models import WarningSettingsRow


async def get_settings(
    session: AsyncSession, *, municipality_code: str
) -> WarningSettingsRow | None:
    return await session.get(WarningSettingsRow, municipality_code)


def save_settings(session: AsyncSession, row: WarningSettingsRow) -> None:
    session.add(row)
