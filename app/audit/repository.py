"""Queries on the access log. It only inserts and selects: entries are never changed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Uuid, column, table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.audit.models import AccessLogEntry

# Entries refer to alerts by id (a foreign key). The alerts package writes this log, so the log
# reads an alert's municipality through the table, not through that package.
_ALERT = table("alert", column("id", Uuid()), column("municipality_code"))


def add(session: AsyncSession, entry: AccessLogEntry) -> None:
    session.add(entry)


async def entries(
    session: AsyncSession,
    *,
    municipality_codes: Sequence[str],
    alert_id: uuid.UUID | None = None,
    actor_id: str | None = None,
    national_id_hash: str | None = None,
    after: int | None = None,
    limit: int = 100,
) -> list[AccessLogEntry]:
    """A page of the entries about these municipalities, in id order, after the cursor `after`:
    those about the alert, of the actor and/or about the person, where given."""
    statement = (
        select(AccessLogEntry)
        .where(col(AccessLogEntry.municipality_code).in_(municipality_codes))
        .order_by(col(AccessLogEntry.id))
        .limit(limit)
    )
    if alert_id is not None:
        statement = statement.where(col(AccessLogEntry.alert_id) == alert_id)
    if actor_id is not None:
        statement = statement.where(col(AccessLogEntry.actor_id) == actor_id)
    if national_id_hash is not None:
        statement = statement.where(col(AccessLogEntry.national_id_hash) == national_id_hash)
    if after is not None:
        statement = statement.where(col(AccessLogEntry.id) > after)
    return list((await session.execute(statement)).scalars())


async def municipality_of_alert(session: AsyncSession, alert_id: uuid.UUID) -> str | None:
    result = await session.execute(
        select(_ALERT.c.municipality_code).where(_ALERT.c.id == alert_id)
    )
    code: str | None = result.scalar_one_or_none()
    return code
