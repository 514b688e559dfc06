"""Queries on alerts. The insert is idempotent on (client, dispatch incident id)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.alerts.enums import AlertStatus
from app.alerts.models import Alert, AlertVersion
from app.roster.models import Municipality


async def is_served(session: AsyncSession, *, code: str) -> bool:
    """Whether the service serves the municipality."""
    return await session.get(Municipality, code) is not None


_ALERT_TABLE = Alert.__table__  # type: ignore[attr-defined]


def _insert_unless_exists_statement(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(_ALERT_TABLE)
        .on_conflict_do_nothing(index_elements=["client_id", "dispatch_incident_hash"])
        .returning(_ALERT_TABLE.c.id)
    )


# Built once per dialect: the values go in as parameters, so the compiled SQL is cached.
_INSERT_UNLESS_EXISTS = {
    name: _insert_unless_exists_statement(name) for name in ("postgresql", "sqlite")
}


async def insert_unless_exists(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert the alert; False if this client already sent this incident id.

    ON CONFLICT DO NOTHING on the unique constraint, so concurrent retries cannot race.
    """
    statement = _INSERT_UNLESS_EXISTS[session.get_bind().dialect.name]
    return (await session.execute(statement, values)).first() is not None


async def get_by_incident(
    session: AsyncSession, *, client_id: str, incident_hashes: Sequence[str]
) -> Alert | None:
    """The client's alert with one of these keyed hashes of the dispatch incident id (under
    the current hash key and the retired ones: one alert at most, as each key's hash of an
    id is unique per client)."""
    if not incident_hashes:
        return None
    result = await session.execute(
        select(Alert)
        .where(
            col(Alert.client_id) == client_id,
            col(Alert.dispatch_incident_hash).in_(incident_hashes),
        )
        .limit(1)
    )
    return result.scalar_one_or_none()


async def count_with_age_band(
    session: AsyncSession,
    *,
    municipality_code: str,
    since: datetime,
    age_band: str,
    excluding: uuid.UUID | None = None,
) -> int:
    """How many alerts of the municipality received since `since` have this age band: for
    the group rule of an objected alert (`app.alerts.anonymity`)."""
    result = await session.execute(
        select(func.count()).where(
            col(Alert.municipality_code) == municipality_code,
            col(Alert.received_at) >= since,
            col(Alert.age_band) == age_band,
            col(Alert.id) != excluding if excluding is not None else true(),
        )
    )
    return int(result.scalar_one())


async def acute_risk_tokens(
    session: AsyncSession,
    *,
    municipality_code: str,
    since: datetime,
    excluding: uuid.UUID | None = None,
) -> list[tuple[uuid.UUID, str]]:
    """(id, sealed acute-risk values) of the municipality's alerts received since `since`
    that have them: the outcome is sealed, so the service opens these to count it for the
    group rule of an objected alert; nobody is shown them."""
    result = await session.execute(
        select(col(Alert.id), col(Alert.acute_risk_sealed)).where(
            col(Alert.municipality_code) == municipality_code,
            col(Alert.received_at) >= since,
            col(Alert.acute_risk_sealed).is_not(None),
            col(Alert.id) != excluding if excluding is not None else true(),
        )
    )
    return [(alert_id, token) for alert_id, token in result.all() if token is not None]


async def get_by_id(session: AsyncSession, *, alert_id: uuid.UUID) -> Alert | None:
    return await session.get(Alert, alert_id)


async def get_for_client(
    session: AsyncSession, *, alert_id: uuid.UUID, client_id: str
) -> Alert | None:
    result = await session.execute(
        select(Alert).where(col(Alert.id) == alert_id, col(Alert.client_id) == client_id)
    )
    return result.scalar_one_or_none()


async def mark_notified(session: AsyncSession, *, alert_id: uuid.UUID, at: datetime) -> None:
    """The first SMS for the alert left: received -> notified (later states are kept)."""
    await session.execute(
        update(Alert)
        .where(col(Alert.id) == alert_id, col(Alert.status) == AlertStatus.RECEIVED)
        .values(status=AlertStatus.NOTIFIED, notified_at=at)
    )


async def mark_acknowledged(session: AsyncSession, *, alert_id: uuid.UUID, at: datetime) -> None:
    await session.execute(
        update(Alert)
        .where(col(Alert.id) == alert_id, col(Alert.acknowledged_at).is_(None))
        .values(status=AlertStatus.ACKNOWLEDGED, acknowledged_at=at)
    )


async def municipality_of(session: AsyncSession, *, alert_id: uuid.UUID) -> str | None:
    result = await session.execute(
        select(col(Alert.municipality_code)).where(col(Alert.id) == alert_id)
    )
    return result.scalar_one_or_none()


async def get_for_disclosure(session: AsyncSession, *, alert_id: uuid.UUID) -> Alert | None:
    """The alert, locked until commit on PostgreSQL so concurrent disclosures queue.

    SQLite needs no lock: every transaction there takes the write lock at BEGIN.
    """
    result = await session.execute(select(Alert).where(col(Alert.id) == alert_id).with_for_update())
    return result.scalar_one_or_none()


async def mark_shared_without_consent(
    session: AsyncSession, *, alert_id: uuid.UUID, categories: list[str]
) -> None:
    """Remember that the person must be told what was shared without their consent."""
    await session.execute(
        update(Alert)
        .where(col(Alert.id) == alert_id)
        .values(inform_person_required=True, shared_without_consent=categories)
    )


async def get_for_client_locked(
    session: AsyncSession, *, alert_id: uuid.UUID, client_id: str
) -> Alert | None:
    """The client's alert, locked until commit (PostgreSQL), so supplements apply one by one.

    `populate_existing`: a row already in the session is read again under the lock.
    """
    result = await session.execute(
        select(Alert)
        .where(col(Alert.id) == alert_id, col(Alert.client_id) == client_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def version_by_supplement_id(
    session: AsyncSession, *, alert_id: uuid.UUID, supplement_id: str
) -> AlertVersion | None:
    result = await session.execute(
        select(AlertVersion).where(
            col(AlertVersion.alert_id) == alert_id,
            col(AlertVersion.supplement_id) == supplement_id,
        )
    )
    return result.scalar_one_or_none()


async def versions_of(session: AsyncSession, *, alert_id: uuid.UUID) -> list[AlertVersion]:
    result = await session.execute(
        select(AlertVersion)
        .where(col(AlertVersion.alert_id) == alert_id)
        .order_by(col(AlertVersion.version))
    )
    return list(result.scalars())


def add_version(session: AsyncSession, version: AlertVersion) -> None:
    session.add(version)


async def recent_in(
    session: AsyncSession,
    *,
    municipalities: list[str],
    triage_action: str | None,
    offset: int,
    limit: int,
) -> list[Alert]:
    """The newest alerts of the municipalities, newest first, from `offset`."""
    statement = select(Alert).where(col(Alert.municipality_code).in_(municipalities))
    if triage_action is not None:
        statement = statement.where(col(Alert.triage_action) == triage_action)
    statement = (
        statement.order_by(col(Alert.received_at).desc(), col(Alert.id)).offset(offset).limit(limit)
    )
    return list((await session.execute(statement)).scalars())
