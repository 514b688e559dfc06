"""Queries on the access log. It only inserts and selects: entries are never changed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Uuid, column, table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.audit.models import AccessLogEntry

# Entries refer to alerts by id (a foreign key). The alerts package writes this log, so the log
# reads an alert's municipality through the table, not through that package.
_ALERT = table("alert", column("id", Uuid()), column("municipality_code"))


def add(session: AsyncSession, entry: AccessLogEntry) -> None:
    session.add(entry)


async def _page(
    session: AsyncSession,
    *condition: Any,
    municipality_codes: Sequence[str],
    after: int | None,
    limit: int,
) -> list[AccessLogEntry]:
    statement = (
        select(AccessLogEntry)
        .where(*condition, col(AccessLogEntry.municipality_code).in_(municipality_codes))
        .order_by(col(AccessLogEntry.id))
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(col(AccessLogEntry.id) > after)
    return list((await session.execute(statement)).scalars())


async def by_alert(
    session: AsyncSession,
    *,
    alert_id: uuid.UUID,
    municipality_codes: Sequence[str],
    after: int | None = None,
    limit: int = 100,
) -> list[AccessLogEntry]:
    return await _page(
        session,
        col(AccessLogEntry.alert_id) == alert_id,
        municipality_codes=municipality_codes,
        after=after,
        limit=limit,
    )


async def by_actor(
    session: AsyncSession,
    *,
    actor_id: str,
    municipality_codes: Sequence[str],
    after: int | None = None,
    limit: int = 100,
) -> list[AccessLogEntry]:
    return await _page(
        session,
        col(AccessLogEntry.actor_id) == actor_id,
        municipality_codes=municipality_codes,
        after=after,
        limit=limit,
    )


async def by_person(
    session: AsyncSession,
    *,
    national_id_hash: str,
    municipality_codes: Sequence[str],
    after: int | None = None,
    limit: int = 100,
) -> list[AccessLogEntry]:
    return await _page(
        session,
        col(AccessLogEntry.national_id_hash) == national_id_hash,
        municipality_codes=municipality_codes,
        after=after,
        limit=limit,
    )


async def municipality_of_alert(session: AsyncSession, alert_id: uuid.UUID) -> str | None:
    result = await session.execute(
        select(_ALERT.c.municipality_code).where(_ALERT.c.id == alert_id)
    )
    code: str | None = result.scalar_one_or_none()
    return code
