"""Rate-limit counters every instance sees: rows in the database, not memory of one process.

Two API instances with counters of their own would give an attacker twice the budget, so the
limits (the token endpoint's wrong secrets, staff sign-in, guessed links) count here: one row
per limit, key and window in `rate_counter`, on the service clock.

* **Fixed windows**: a limit of `most` per `window` counts in windows aligned to the epoch
  (`Limit.start`); a key at its limit waits until its window ends. Across a boundary a key
  may get up to twice `most` in one `window`, which these limits tolerate: they keep
  guessing and flooding slow, they do not meter use.
* **Atomic**: `take` counts with one `INSERT ... ON CONFLICT ... DO UPDATE ... WHERE hits <
  most RETURNING hits` per key (PostgreSQL and SQLite alike), so concurrent attempts on any
  number of instances never pass the limit together; several keys are taken all or none in
  one transaction.
* **Keys are not stored**: only an HMAC-SHA256 of the limit and key under a key derived from
  the service's secret (`AUTH__JWT_SECRET`, the same on every instance), so no mobile number
  or address lands in the table.
* **Cleaned cheaply**: each row expires with its window (`expires_at`, indexed); each process
  deletes the expired rows at most once per `SWEEP_EVERY`, in a transaction it opens anyway.
* **Own transactions**: every count opens a short transaction of its own and commits it, so
  it is seen by other instances at once and survives the caller's rollback. A route that has
  run statements in its request transaction rolls that back before counting, and reads
  (`blocked`) through it: on SQLite the request's transaction holds the write lock (BEGIN
  IMMEDIATE, `app.db`) until it ends.
* Marks (`mark`, `marked`): a key remembered until a time, e.g. an address that got a token
  for a client id (kept in the same table with window 0).
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Column, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import Field, SQLModel, col

from app.dbtypes import UTCDateTime

SWEEP_EVERY = timedelta(minutes=1)


class RateCounter(SQLModel, table=True):
    __tablename__ = "rate_counter"

    scope: str = Field(primary_key=True, max_length=40, description="The limit, e.g. token.client")
    digest: str = Field(primary_key=True, max_length=64, description="HMAC of the key, hex")
    window_start: int = Field(
        sa_column=Column(BigInteger, primary_key=True, autoincrement=False),
        description="Epoch seconds the window starts at (0 for a mark)",
    )
    hits: int = Field(default=0)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


_TABLE: Any = RateCounter.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Limit:
    scope: str
    most: int
    window: timedelta

    def start(self, now: datetime) -> int:
        """The epoch second the window holding `now` starts at (pure)."""
        seconds = int(self.window.total_seconds())
        return math.floor(now.timestamp()) // seconds * seconds

    def end(self, now: datetime) -> datetime:
        return datetime.fromtimestamp(self.start(now), tz=UTC) + self.window

    def wait(self, now: datetime) -> int:
        """Whole seconds, at least 1, until the window holding `now` ends (pure)."""
        return max(1, math.ceil((self.end(now) - now).total_seconds()))


class _Refused(Exception):
    """One key of a `take` was at its limit: the transaction rolls back, nothing counts."""


class Counters:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, secret: str) -> None:
        self._sessions = sessions
        self._key = hashlib.sha256(b"odvarsel rate counters\x00" + secret.encode()).digest()
        self._swept_at: datetime | None = None

    def _digest(self, scope: str, key: str) -> str:
        message = f"{scope}\x00{key}".encode("utf-8", "surrogatepass")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    async def blocked(
        self, limit: Limit, key: str, *, now: datetime, session: AsyncSession | None = None
    ) -> int | None:
        """Seconds `key` must wait before its next attempt, or None if it may try now. With
        `session`, read in the caller's transaction: one that has run statements already
        holds SQLite's write lock, which a transaction of our own would wait for."""
        if session is None:
            async with self._sessions() as own:
                return await self.blocked(limit, key, now=now, session=own)
        hits = await session.scalar(
            select(_TABLE.c.hits).where(*self._row(limit.scope, key, limit.start(now)))
        )
        return limit.wait(now) if hits is not None and hits >= limit.most else None

    async def take(self, *keys: tuple[Limit, str], now: datetime) -> int | None:
        """Count one attempt for every (limit, key) if each is under its limit, and return
        None; otherwise count none and return the seconds to wait (the longest)."""
        refused = [limit.wait(now) for limit, _ in keys]
        try:
            async with self._sessions() as session, session.begin():
                await self._sweep(session, now)
                for index, (limit, key) in enumerate(keys):
                    if not await self._count(session, limit, key, now, below=limit.most):
                        refused = [refused[index]]
                        raise _Refused
        except _Refused:
            return max(refused)
        return None

    async def add(self, limit: Limit, key: str, *, now: datetime) -> None:
        """Count one attempt for `key`, whatever its count (a miss already made)."""
        async with self._sessions() as session, session.begin():
            await self._sweep(session, now)
            await self._count(session, limit, key, now, below=None)

    async def give_back(self, *keys: tuple[Limit, str], at: datetime) -> None:
        """Take back the attempts counted at `at` (they succeeded after all)."""
        async with self._sessions() as session, session.begin():
            for limit, key in keys:
                await session.execute(
                    update(_TABLE)
                    .where(*self._row(limit.scope, key, limit.start(at)), _TABLE.c.hits > 0)
                    .values(hits=_TABLE.c.hits - 1)
                )

    async def mark(self, scope: str, key: str, *, until: datetime, now: datetime) -> None:
        """Remember `key` under `scope` until `until`."""
        values = {"scope": scope, "digest": self._digest(scope, key), "window_start": 0}
        async with self._sessions() as session, session.begin():
            await self._sweep(session, now)
            statement = _insert(session)(_TABLE).values(**values, hits=1, expires_at=until)
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["scope", "digest", "window_start"],
                    set_={"expires_at": statement.excluded.expires_at},
                )
            )

    async def marked(self, scope: str, key: str, *, now: datetime) -> bool:
        async with self._sessions() as session:
            found = await session.scalar(
                select(_TABLE.c.hits).where(
                    *self._row(scope, key, 0), col(RateCounter.expires_at) > now
                )
            )
        return found is not None

    def _row(self, scope: str, key: str, start: int) -> tuple[Any, ...]:
        return (
            _TABLE.c.scope == scope,
            _TABLE.c.digest == self._digest(scope, key),
            _TABLE.c.window_start == start,
        )

    async def _count(
        self, session: AsyncSession, limit: Limit, key: str, now: datetime, *, below: int | None
    ) -> bool:
        """One more hit in the window of `now`; False (nothing counted) when `below` is given
        and the count has reached it."""
        statement = _insert(session)(_TABLE).values(
            scope=limit.scope,
            digest=self._digest(limit.scope, key),
            window_start=limit.start(now),
            hits=1,
            expires_at=limit.end(now),
        )
        upsert = statement.on_conflict_do_update(
            index_elements=["scope", "digest", "window_start"],
            set_={"hits": _TABLE.c.hits + 1},
            where=(_TABLE.c.hits < below) if below is not None else None,
        ).returning(_TABLE.c.hits)
        return (await session.execute(upsert)).first() is not None

    async def _sweep(self, session: AsyncSession, now: datetime) -> None:
        if self._swept_at is not None and now - self._swept_at < SWEEP_EVERY:
            return
        self._swept_at = now
        await session.execute(delete(RateCounter).where(col(RateCounter.expires_at) <= now))


def _insert(session: AsyncSession) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
