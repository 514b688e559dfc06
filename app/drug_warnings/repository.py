"""The query every concern shares: which municipalities odvarsel serves, by name."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.roster.models import Municipality


async def served(session: AsyncSession, codes: Collection[str]) -> dict[str, str]:
    """The names of those of `codes` that odvarsel serves, by code."""
    if not codes:
        return {}
    statement = select(Municipality).where(col(Municipality.code).in_(list(codes)))
    return {m.code: m.name for m in (await session.execute(statement)).scalars()}
