"""Queries on the access log. It only inserts and selects: entries are never changed."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import Uuid, column, or_, table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.audit.models import AccessLogEntry

# Entries refer to alerts by id (a foreign key). The alerts package writes this log, so the log
# reads an alert's municipality through the table, not through that package.
_ALERT = table(
    "alert", column("id", Uuid()), column("municipality_code"), column("national_id_hash")
)
# Who saw the data, by name, for the person's access report: read through the tables too.
_MEMBER = table("member", column("id", Uuid()), column("name"), column("role"))
_CLIENT = table("api_client", column("id"), column("name"))


def add(session: AsyncSession, entry: AccessLogEntry) -> None:
    session.add(entry)


async def entries(
    session: AsyncSession,
    *,
    municipality_codes: Sequence[str],
    alert_id: uuid.UUID | None = None,
    actor_id: str | None = None,
    national_id_hashes: Sequence[str] | None = None,
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
    if national_id_hashes is not None:
        statement = statement.where(col(AccessLogEntry.national_id_hash).in_(national_id_hashes))
    if after is not None:
        statement = statement.where(col(AccessLogEntry.id) > after)
    return list((await session.execute(statement)).scalars())


async def municipality_of_alert(session: AsyncSession, alert_id: uuid.UUID) -> str | None:
    result = await session.execute(
        select(_ALERT.c.municipality_code).where(_ALERT.c.id == alert_id)
    )
    code: str | None = result.scalar_one_or_none()
    return code


async def entries_about_person(
    session: AsyncSession, *, municipality_code: str, national_id_hashes: Sequence[str]
) -> list[AccessLogEntry]:
    """The municipality's entries about the person, in id order: those naming one of the
    person's hashes, and those about an alert that carries one."""
    alerts = select(_ALERT.c.id).where(_ALERT.c.national_id_hash.in_(national_id_hashes))
    statement = (
        select(AccessLogEntry)
        .where(
            col(AccessLogEntry.municipality_code) == municipality_code,
            or_(
                col(AccessLogEntry.national_id_hash).in_(national_id_hashes),
                col(AccessLogEntry.alert_id).in_(alerts),
            ),
        )
        .order_by(col(AccessLogEntry.id))
    )
    return list((await session.execute(statement)).scalars())


async def members(session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[str, tuple[str, str]]:
    """(name, role) of each member, by id as the log writes it."""
    if not ids:
        return {}
    rows = await session.execute(
        select(_MEMBER.c.id, _MEMBER.c.name, _MEMBER.c.role).where(_MEMBER.c.id.in_(ids))
    )
    return {str(member_id): (name, role) for member_id, name, role in rows.all()}


async def client_names(session: AsyncSession, ids: Collection[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = await session.execute(select(_CLIENT.c.id, _CLIENT.c.name).where(_CLIENT.c.id.in_(ids)))
    return {client_id: name for client_id, name in rows.all()}
