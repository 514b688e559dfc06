"""Queries on API clients."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import column, table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.auth.models import ApiClient, ApiClientMunicipality

# Clients are bound to municipalities by code (the foreign key names the table too). Auth sits
# below the roster, so it reads the codes through the table rather than the roster package.
_MUNICIPALITY = table("municipality", column("code"))


async def get_client(session: AsyncSession, client_id: str) -> ApiClient | None:
    return await session.get(ApiClient, client_id)


def add_client(session: AsyncSession, client: ApiClient, municipality_codes: list[str]) -> None:
    session.add(client)
    for code in municipality_codes:
        session.add(ApiClientMunicipality(client_id=client.id, municipality_code=code))


async def municipality_codes_of(session: AsyncSession, client_id: str) -> list[str]:
    result = await session.execute(
        select(ApiClientMunicipality.municipality_code).where(
            col(ApiClientMunicipality.client_id) == client_id
        )
    )
    return sorted(result.scalars())


async def unknown_municipalities(session: AsyncSession, codes: Collection[str]) -> list[str]:
    """The codes among `codes` that name no municipality the service serves."""
    result = await session.execute(
        select(_MUNICIPALITY.c.code).where(_MUNICIPALITY.c.code.in_(list(codes)))
    )
    served = set(result.scalars())
    return sorted(set(codes) - served)
