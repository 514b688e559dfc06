"""Queries on cluster signals and checks, and on the alerts a check or a warning's text check
reads."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    and_,
    func,
    literal,
    null,
    or_,
    text,
    true,
    union_all,
)
from sqlalchemy import select as sql_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.alerts.anonymity import to_the_hour
from app.alerts.models import Alert, AlertVersion
from app.consent.enums import ConsentState
from app.db import is_postgresql, one_or_none
from app.drug_warnings.repository import Page, one_page
from app.drug_warnings.signals.models import ClusterCheck, Signal
from app.roster.models import Municipality


def add_signal(session: AsyncSession, signal: Signal) -> None:
    session.add(signal)


async def lock_clusters(session: AsyncSession, *, municipality_code: str) -> None:
    """One cluster check at a time per municipality (until commit), so two alerts arriving
    together raise one signal. SQLite has one writer at a time already."""
    if is_postgresql(session):
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"odvarsel:clusters:{municipality_code}"},
        )


async def alerts_since(
    session: AsyncSession, *, municipality_code: str, since: datetime
) -> list[Alert]:
    statement = select(Alert).where(
        col(Alert.municipality_code) == municipality_code, col(Alert.occurred_at) >= since
    )
    return list((await session.execute(statement)).scalars())


class AlertTime(NamedTuple):
    """An alert as a cluster check reads it: when it happened and, for a rule that places
    alerts, its sealed place (None when not read or not kept)."""

    id: uuid.UUID
    occurred_at: datetime
    place_sealed: str | None


ALERTS_PER_CHUNK = 1000
"""How many alerts a cluster check turns into rows between two turns of the event loop."""


async def alert_times_since(
    session: AsyncSession, *, municipality_code: str, since: datetime, with_place: bool
) -> list[AlertTime]:
    """The municipality's alerts that happened at or after `since`: only the columns the rule
    reads, in chunks, so that a burst of alerts never holds the worker's loop for long."""
    place = col(Alert.place_sealed) if with_place else null()
    statement = sql_select(col(Alert.id), col(Alert.occurred_at), place).where(
        col(Alert.municipality_code) == municipality_code, col(Alert.occurred_at) >= since
    )
    result = await session.stream(statement.execution_options(yield_per=ALERTS_PER_CHUNK))
    alerts: list[AlertTime] = []
    async for rows in result.partitions():
        alerts.extend(AlertTime(*row) for row in rows)
    return alerts


async def alerts_by_id(session: AsyncSession, alert_ids: Collection[uuid.UUID]) -> list[Alert]:
    if not alert_ids:
        return []
    statement = select(Alert).where(col(Alert.id).in_(list(alert_ids)))
    return list((await session.execute(statement)).scalars())


async def signals_since(
    session: AsyncSession, *, municipality_code: str, since: datetime
) -> list[Signal]:
    """The municipality's signals whose last event is at or after `since`, oldest first."""
    statement = (
        select(Signal)
        .where(col(Signal.municipality_code) == municipality_code, col(Signal.last_at) >= since)
        .order_by(col(Signal.raised_at), col(Signal.id))
    )
    return list((await session.execute(statement)).scalars())


async def list_signals(session: AsyncSession, page: Page, *, status: str | None) -> list[Signal]:
    statement = select(Signal)
    if status is not None:
        statement = statement.where(col(Signal.status) == status)
    statement = one_page(statement, page, Signal, newest=Signal.updated_at)
    return list((await session.execute(statement)).scalars())


async def get_signal(
    session: AsyncSession, signal_id: uuid.UUID, *, for_update: bool = False
) -> Signal | None:
    statement = select(Signal).where(col(Signal.id) == signal_id)
    return await one_or_none(session, statement, for_update=for_update)


class Newest(NamedTuple):
    """The newest arrival's times: received (alert) and supplemented (alert version)."""

    received_at: datetime | None
    supplemented_at: datetime | None


async def check_times(session: AsyncSession) -> tuple[dict[str, datetime | None], Newest]:
    """Every served municipality and when its clusters were last checked (None: never); and
    the newest arrival of all, in the same query."""
    received = sql_select(func.max(col(Alert.received_at))).scalar_subquery()
    supplemented = sql_select(func.max(col(AlertVersion.at))).scalar_subquery()
    statement = (
        sql_select(col(Municipality.code), col(ClusterCheck.checked_at), received, supplemented)
        .outerjoin(ClusterCheck, col(ClusterCheck.municipality_code) == col(Municipality.code))
        .order_by(col(Municipality.code))
    )
    rows = (await session.execute(statement)).all()
    newest = Newest(*rows[0][2:]) if rows else Newest(None, None)
    return {code: at for code, at, *_ in rows}, newest


def any_after(newest: Newest) -> ColumnElement[bool]:
    """Whether an alert was received or supplemented after `newest` (two index lookups)."""

    def after(table: Any, column: Any, instant: datetime | None) -> ColumnElement[bool]:
        rows = sql_select(literal(1)).select_from(table)
        return rows.where(true() if instant is None else column > instant).exists()

    return or_(
        after(Alert, col(Alert.received_at), newest.received_at),
        after(AlertVersion, col(AlertVersion.at), newest.supplemented_at),
    )


async def alerts_arrived(
    session: AsyncSession, *, municipality_code: str, since: datetime | None
) -> frozenset[tuple[uuid.UUID, int]]:
    """The alerts of the municipality received or supplemented at or after `since`, as (alert
    id, version): version 1 when received, the supplement's version. With None, any one alert
    of the municipality (whether it has any). One query."""
    received = sql_select(col(Alert.id), literal(1)).where(
        col(Alert.municipality_code) == municipality_code
    )
    if since is None:
        rows = await session.execute(received.limit(1))
        return frozenset((alert_id, version) for alert_id, version in rows.all())
    supplemented = (
        sql_select(col(AlertVersion.alert_id), col(AlertVersion.version))
        .join(Alert, col(Alert.id) == col(AlertVersion.alert_id))
        .where(col(Alert.municipality_code) == municipality_code, col(AlertVersion.at) >= since)
    )
    # An objected alert's receipt is kept to the hour (docs/rules.md, "Objected alerts: what
    # is kept"): looked for from the hour, so a check in the same hour still finds it.
    received = received.where(
        or_(
            col(Alert.received_at) >= since,
            and_(
                col(Alert.consent_state) == ConsentState.OBJECTED.value,
                col(Alert.received_at) >= to_the_hour(since),
            ),
        )
    )
    statement = union_all(received, supplemented)
    result = await session.stream(statement.execution_options(yield_per=ALERTS_PER_CHUNK))
    arrived: set[tuple[uuid.UUID, int]] = set()
    async for chunk in result.partitions():  # a burst of arrivals in chunks, as for the check
        arrived.update((alert_id, version) for alert_id, version in chunk)
    return frozenset(arrived)


_CLUSTER_CHECK: Any = ClusterCheck.__table__  # type: ignore[attr-defined]


async def record_check(session: AsyncSession, *, municipality_code: str, at: datetime) -> None:
    """Set the municipality's check time (an upsert: two workers may check it at once)."""
    insert = postgresql.insert if is_postgresql(session) else sqlite.insert
    statement = insert(_CLUSTER_CHECK).values(municipality_code=municipality_code, checked_at=at)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["municipality_code"],
            set_={"checked_at": statement.excluded.checked_at},
        )
    )
