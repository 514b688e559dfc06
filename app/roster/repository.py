"""Queries on roster tables."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.roster.models import Municipality


async def get_municipality(session: AsyncSession, code: str) -> Municipality | None:
    return await session.get(Municipality, code)


def add_municipality(session: AsyncSession, municipality: Municipality) -> None:
    session.add(municipality)
