"""The queries of a rotation: generic over the registry's tables, through the metadata.

Rows are walked in key order from a cursor (keyset paging), so a token that does not open is
passed over, not read again; an update names the token it replaces, so a value a service
wrote meanwhile is never overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, func, select, true, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import tables
from app.key_rotation.registry import SealedColumn

ALERT_FACT = ("alert_fact", "person_key")
"""The statistics' copy of an alert's national-id hash, where that table exists."""


def _table(name: str) -> Table:
    return tables.metadata.tables[name]


def _not_under(column: ColumnElement[Any], prefix: str) -> ColumnElement[bool]:
    # substr, not LIKE: key ids may hold "_", which LIKE reads as a wildcard.
    return and_(column.is_not(None), func.substr(column, 1, len(prefix)) != prefix)


def _after(table: Table, keys: Sequence[str], cursor: Sequence[Any] | None) -> ColumnElement[bool]:
    if cursor is None:
        return true()
    if len(keys) == 1:
        single: ColumnElement[bool] = table.c[keys[0]] > cursor[0]
        return single
    return tuple_(*(table.c[k] for k in keys)) > tuple_(*cursor)


async def count_not_under(session: AsyncSession, sealed: SealedColumn, prefix: str) -> int:
    """How many tokens of the column do not start with `prefix` (the active key's)."""
    table = _table(sealed.table)
    result = await session.execute(
        select(func.count()).select_from(table).where(_not_under(table.c[sealed.column], prefix))
    )
    return int(result.scalar_one())


async def tokens_not_under(
    session: AsyncSession,
    sealed: SealedColumn,
    prefix: str,
    *,
    after: Sequence[Any] | None,
    limit: int,
) -> list[dict[str, Any]]:
    """The next `limit` rows after the cursor whose token is not under the active key: their
    keys, the columns the context needs, and the token (as `token`)."""
    table = _table(sealed.table)
    token = table.c[sealed.column]
    statement = (
        select(*(table.c[c] for c in (*sealed.keys, *sealed.reads)), token.label("token"))
        .where(_not_under(token, prefix), _after(table, sealed.keys, after))
        .order_by(*(table.c[k] for k in sealed.keys))
        .limit(limit)
    )
    return [dict(row._mapping) for row in await session.execute(statement)]


async def replace_token(
    session: AsyncSession, sealed: SealedColumn, row: Mapping[str, Any], new: str
) -> bool:
    """Write `new` over the row's token unless the row changed meanwhile; True if written."""
    table = _table(sealed.table)
    where = [table.c[k] == row[k] for k in sealed.keys]
    statement = (
        update(table)
        .where(*where, table.c[sealed.column] == row["token"])
        .values({sealed.column: new})
    )
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))


async def alerts_with_hashes(
    session: AsyncSession, *, after: Any | None, limit: int
) -> list[dict[str, Any]]:
    """The next alerts after the cursor, with what a re-hash reads and writes."""
    alert = _table("alert")
    statement = (
        select(
            alert.c.id,
            alert.c.national_id_hash,
            alert.c.identity_sealed,
            alert.c.dispatch_incident_hash,
            alert.c.dispatch_incident_sealed,
        )
        .where(true() if after is None else alert.c.id > after)
        .order_by(alert.c.id)
        .limit(limit)
    )
    return [dict(row._mapping) for row in await session.execute(statement)]


async def set_alert_hash(
    session: AsyncSession, *, alert_id: Any, column: str, old: str | None, new: str
) -> bool:
    """Write the alert's new hash unless the row changed meanwhile; True if written."""
    alert = _table("alert")
    result = await session.execute(
        update(alert).where(alert.c.id == alert_id, alert.c[column] == old).values({column: new})
    )
    return bool(getattr(result, "rowcount", 0))


def person_key_copies() -> list[tuple[str, str]]:
    """The tables and columns that hold copies of an alert's national-id hash and may be
    re-hashed (the access log may not: it is append-only); only those in the metadata."""
    present = []
    for name, column in (ALERT_FACT,):
        table = tables.metadata.tables.get(name)
        if table is not None and column in table.c:
            present.append((name, column))
    return present


async def map_copies(session: AsyncSession, *, old: str, new: str) -> dict[str, int]:
    """Rewrite the copies of hash `old` as `new`: rows rewritten per `table.column`."""
    written = {}
    for name, column in person_key_copies():
        table = _table(name)
        result = await session.execute(
            update(table).where(table.c[column] == old).values({column: new})
        )
        written[f"{name}.{column}"] = int(getattr(result, "rowcount", 0) or 0)
    return written


async def count_alerts(session: AsyncSession) -> int:
    result = await session.execute(select(func.count()).select_from(_table("alert")))
    return int(result.scalar_one())


async def count_unmapped_copies(session: AsyncSession) -> dict[str, int]:
    """Per copy: rows whose hash is no alert's hash now (their alert was purged, or carried
    the hash under a key it was not re-hashed from): they stay under the old key."""
    alert = _table("alert")
    known = select(alert.c.national_id_hash).where(alert.c.national_id_hash.is_not(None))
    counts: dict[str, int] = {}
    for name, column in person_key_copies():
        table = _table(name)
        result = await session.execute(
            select(func.count())
            .select_from(table)
            .where(table.c[column].is_not(None), table.c[column].not_in(known))
        )
        counts[f"{name}.{column}"] = int(result.scalar_one())
    return counts


async def count_access_log_hashes(session: AsyncSession) -> int:
    """Access-log entries that name a person by hash: never rewritten (append-only)."""
    entry = _table("access_log_entry")
    result = await session.execute(
        select(func.count()).select_from(entry).where(entry.c.national_id_hash.is_not(None))
    )
    return int(result.scalar_one())
