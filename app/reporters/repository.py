"""Queries of reporters: the only module that reads or writes their tables."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.reporters.models import (
    Reporter,
    ReporterAlert,
    ReporterMunicipality,
    ReporterSession,
    ReporterSignInLink,
)

municipality_table = sa.table(
    "municipality", sa.column("code", sa.String()), sa.column("name", sa.String())
)


async def get(session: AsyncSession, reporter_id: uuid.UUID) -> Reporter | None:
    return await session.get(Reporter, reporter_id)


async def find(session: AsyncSession, *, mobile: str | None, name: str) -> Reporter | None:
    """The reporter with this mobile; without one, the reporter of this name without one."""
    if mobile is not None:
        statement = select(Reporter).where(col(Reporter.mobile) == mobile)
    else:
        statement = select(Reporter).where(
            col(Reporter.name) == name, col(Reporter.mobile).is_(None)
        )
    return (await session.execute(statement.limit(1))).scalars().first()


async def listed(session: AsyncSession, codes: list[str] | None) -> list[Reporter]:
    """Reporters, by name; with `codes`, those bound to one of them."""
    statement = select(Reporter).order_by(col(Reporter.name), col(Reporter.id))
    if codes is not None:
        bound = select(col(ReporterMunicipality.reporter_id)).where(
            col(ReporterMunicipality.municipality_code).in_(codes)
        )
        statement = statement.where(col(Reporter.id).in_(bound))
    return list((await session.execute(statement)).scalars())


async def active_by(
    session: AsyncSession, *, mobile: str | None = None, email: str | None = None
) -> Reporter | None:
    condition = (
        col(Reporter.mobile) == mobile if mobile is not None else col(Reporter.email) == email
    )
    statement = select(Reporter).where(condition, col(Reporter.active).is_(True))
    return (await session.execute(statement.limit(1))).scalars().first()


async def municipalities_of(
    session: AsyncSession, reporter_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    statement = (
        select(ReporterMunicipality)
        .where(col(ReporterMunicipality.reporter_id).in_(list(reporter_ids)))
        .order_by(col(ReporterMunicipality.municipality_code))
    )
    found: dict[uuid.UUID, list[str]] = {r: [] for r in reporter_ids}
    for row in (await session.execute(statement)).scalars():
        found[row.reporter_id].append(row.municipality_code)
    return found


async def known_municipalities(session: AsyncSession, codes: Sequence[str]) -> set[str]:
    statement = sa.select(municipality_table.c.code).where(municipality_table.c.code.in_(codes))
    return set((await session.execute(statement)).scalars())


async def municipality_names(session: AsyncSession, codes: Sequence[str]) -> dict[str, str]:
    table = municipality_table.c
    statement = sa.select(table.code, table.name).where(table.code.in_(codes))
    return {code: name for code, name in (await session.execute(statement)).all()}


async def set_municipalities(
    session: AsyncSession, reporter_id: uuid.UUID, codes: Sequence[str]
) -> None:
    """Binds the reporter to exactly `codes`: adds the new, removes the others."""
    before = set((await municipalities_of(session, [reporter_id]))[reporter_id])
    gone = before - set(codes)
    if gone:
        await session.execute(
            sa.delete(ReporterMunicipality).where(
                col(ReporterMunicipality.reporter_id) == reporter_id,
                col(ReporterMunicipality.municipality_code).in_(sorted(gone)),
            )
        )
    session.add_all(
        ReporterMunicipality(reporter_id=reporter_id, municipality_code=c)
        for c in sorted(set(codes) - before)
    )
    await session.flush()


def add(session: AsyncSession, row: Reporter | ReporterSignInLink | ReporterSession) -> None:
    session.add(row)


async def end_sessions(session: AsyncSession, reporter_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        sa.update(ReporterSession)
        .where(
            col(ReporterSession.reporter_id) == reporter_id,
            col(ReporterSession.signed_out_at).is_(None),
        )
        .values(signed_out_at=now)
        .execution_options(synchronize_session=False)
    )


async def session_with_reporter(
    session: AsyncSession, token_hash: str
) -> tuple[ReporterSession, Reporter] | None:
    statement = (
        select(ReporterSession, Reporter)
        .join(Reporter, col(Reporter.id) == col(ReporterSession.reporter_id))
        .where(col(ReporterSession.token_hash) == token_hash, col(Reporter.active).is_(True))
    )
    row = (await session.execute(statement)).first()
    return None if row is None else (row[0], row[1])


async def record_alert(
    session: AsyncSession, *, reporter_id: uuid.UUID, alert_id: uuid.UUID, now: datetime
) -> None:
    """Notes that the reporter sent the alert (again on a resend: kept once, and two resends
    racing cannot both insert: ON CONFLICT DO NOTHING, as the alert's own insert)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    await session.execute(
        insert(ReporterAlert.__table__)  # type: ignore[attr-defined]
        .values(alert_id=alert_id, reporter_id=reporter_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["alert_id"])
    )


async def sent_by(session: AsyncSession, *, reporter_id: uuid.UUID, alert_id: uuid.UUID) -> bool:
    row = await session.get(ReporterAlert, alert_id)
    return row is not None and row.reporter_id == reporter_id


async def sent_alerts(
    session: AsyncSession, reporter_id: uuid.UUID, *, limit: int
) -> list[ReporterAlert]:
    statement = (
        select(ReporterAlert)
        .where(col(ReporterAlert.reporter_id) == reporter_id)
        .order_by(col(ReporterAlert.created_at).desc())
        .limit(limit)
    )
    return list((await session.execute(statement)).scalars())
