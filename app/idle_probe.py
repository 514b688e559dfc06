"""The worker's idle probe: one statement per poll that tells which lanes have work due, and
records the worker's heartbeat in the same round trip.

An idle lane whose engines can say in SQL when they have work (`due`) sleeps until woken:
by a NOTIFY, by the app in the same process, or by this probe, which asks every such lane's
question at once. Without it each lane asked on its own every poll (BEGIN, its claim
queries, COMMIT: 19 round trips a second for an idle worker); with it, one. On PostgreSQL the
statement runs outside a transaction and the heartbeat's upsert rides along as a
data-modifying CTE; SQLite, in the same process, runs the two in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import heartbeat
from app.db import is_postgresql


@dataclass(frozen=True)
class Beat:
    worker_id: str
    at: datetime


async def probe(
    sessions: async_sessionmaker[AsyncSession],
    questions: Sequence[ColumnElement[bool]],
    *,
    beat: Beat | None,
) -> list[bool]:
    """The answer to each question (SQL booleans), and the heartbeat recorded with `beat`."""
    statement = select(*(question.label(f"due_{i}") for i, question in enumerate(questions)))
    async with sessions() as session:
        if is_postgresql(session):
            connection = await session.connection(
                execution_options={"isolation_level": "AUTOCOMMIT"}
            )
            if beat is not None:
                upsert = heartbeat.beat_statement(
                    "postgresql", worker_id=beat.worker_id, at=beat.at
                )
                statement = statement.add_cte(upsert.cte("beat"))
            row = (await connection.execute(statement)).one()
        else:
            async with session.begin():
                if beat is not None:
                    await heartbeat.beat(session, worker_id=beat.worker_id, at=beat.at)
                row = (await session.execute(statement)).one()
    return [bool(answer) for answer in row]
