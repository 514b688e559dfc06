"""Worker heartbeats: every worker records when it last completed a round; /readyz reads it.

One row per worker process (`worker_heartbeat`), written at most once per poll interval, so
an API instance that runs no worker of its own can still tell whether any worker is alive.
Rows of workers gone for a day are removed when a worker starts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import Field, SQLModel, col, select

from app.dbtypes import UTCDateTime

FORGET_AFTER = timedelta(days=1)


class WorkerHeartbeat(SQLModel, table=True):
    __tablename__ = "worker_heartbeat"

    worker_id: str = Field(primary_key=True, max_length=80, description="host-pid-random")
    round_completed_at: datetime = Field(sa_type=UTCDateTime)


_TABLE: Any = WorkerHeartbeat.__table__  # type: ignore[attr-defined]


def beat_statement(dialect: str, *, worker_id: str, at: datetime) -> Any:
    """The upsert of the worker's row (the idle probe sends it in its own statement)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(_TABLE).values(worker_id=worker_id, round_completed_at=at)
    return statement.on_conflict_do_update(
        index_elements=["worker_id"],
        set_={"round_completed_at": statement.excluded.round_completed_at},
    )


async def beat(session: AsyncSession, *, worker_id: str, at: datetime) -> None:
    dialect = session.get_bind().dialect.name
    await session.execute(beat_statement(dialect, worker_id=worker_id, at=at))


async def forget_stale(session: AsyncSession, *, now: datetime) -> None:
    await session.execute(
        delete(WorkerHeartbeat).where(col(WorkerHeartbeat.round_completed_at) < now - FORGET_AFTER)
    )


async def latest(connection: AsyncConnection) -> datetime | None:
    """When any worker last completed a round."""
    result = await connection.execute(select(func.max(col(WorkerHeartbeat.round_completed_at))))
    value: datetime | None = result.scalar_one_or_none()  # max() keeps the column's type
    return value


def is_fresh(last_round_at: datetime | None, *, now: datetime, within: timedelta) -> bool:
    """A round completed no longer than `within` ago (a clock set back counts as fresh)."""
    return last_round_at is not None and now - last_round_at <= within
