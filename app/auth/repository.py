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


async def set_municipalities(session: AsyncSession, client_id: str, codes: list[str]) -> None:
    """Bind the client to exactly `codes`."""
    bound = await session.execute(
        select(ApiClientMunicipality).where(col(ApiClientMunicipality.client_id) == client_id)
    )
    kept: set[str] = set()
    for binding in bound.scalars():
        if binding.municipality_code in codes:
            kept.add(binding.municipality_code)
        else:
            await session.delete(binding)
    for code in codes:
        if code not in kept:
            session.add(ApiClientMunicipality(client_id=client_id, municipality_code=code))


async def unknown_municipalities(session: AsyncSession, codes: Collection[str]) -> list[str]:
    """The codes among `codes` that name no municipality the service serves."""
    result = await session.execute(
        select(_MUNICIPALITY.c.code).where(_MUNICIPALITY.c.code.in_(list(codes)))
    )
    served = set(result.scalars())
    return sorted(set(codes) - served)


async def list_clients(session: AsyncSession) -> list[tuple[ApiClient, list[str]]]:
    """Every client with the codes of its municipalities, by id."""
    clients = (await session.execute(select(ApiClient).order_by(col(ApiClient.id)))).scalars()
    bindings = await session.execute(
        select(col(ApiClientMunicipality.client_id), col(ApiClientMunicipality.municipality_code))
    )
    codes: dict[str, list[str]] = {}
    for client_id, code in bindings:
        codes.setdefault(client_id, []).append(code)
    return [(c, sorted(codes.get(c.id, []))) for c in clients]
