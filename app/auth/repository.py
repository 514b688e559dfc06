"""Queries on API clients."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.auth.models import ApiClient, ApiClientMunicipality


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
