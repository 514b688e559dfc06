"""Which municipalities a client may act for: the one lookup every domain uses.

Routers get the answer from the `ClientMunicipalities` dependency (app/auth/deps.py), read through
the client directory's short cache, and pass it to services as `municipalities`. Services
answer another municipality's records as if they did not exist. Operator tools (the CLI,
demo seeding) act for `EVERY_MUNICIPALITY`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.auth.models import ApiClientMunicipality


class EveryMunicipality:
    """Acting for all municipalities: only for operator tools, never for an API client."""

    def __contains__(self, code: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "EVERY_MUNICIPALITY"


EVERY_MUNICIPALITY: Final = EveryMunicipality()

ActingFor = Collection[str] | EveryMunicipality
"""The municipalities a caller acts for: a client's codes, or every one (operator tools)."""


def codes_filter(acting_for: ActingFor) -> list[str] | None:
    """The codes to restrict a query to; None when the caller acts for every municipality."""
    return None if isinstance(acting_for, EveryMunicipality) else sorted(acting_for)


async def municipalities_of(session: AsyncSession, client_id: str) -> frozenset[str]:
    """The municipalities the client is bound to (whether or not it is active)."""
    result = await session.execute(
        select(col(ApiClientMunicipality.municipality_code)).where(
            col(ApiClientMunicipality.client_id) == client_id
        )
    )
    return frozenset(result.scalars())
