"""Keys that may be used once within a window: inbound SMS ids, OIDC ID tokens.

A signed request or token is valid for a while; a captured copy replayed inside that window
must change nothing. `first_use` records a digest of the key until it expires and says
whether this is the first time it is seen. Only a SHA-256 digest is stored (an ID token
names a person), and expired rows are removed as new ones are recorded.

Concurrent first uses of one key race on the primary key: exactly one insert wins.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col

from app.dbtypes import UTCDateTime


class UsedOnce(SQLModel, table=True):
    __tablename__ = "used_once"

    purpose: str = Field(primary_key=True, max_length=40, description="e.g. sms-inbound")
    digest: str = Field(primary_key=True, max_length=64, description="SHA-256 of the key, hex")
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


_TABLE: Any = UsedOnce.__table__  # type: ignore[attr-defined]


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


async def first_use(
    session: AsyncSession, *, purpose: str, key: str, until: datetime, now: datetime
) -> bool:
    """Record `key` for `purpose` until `until`; False when it is already recorded."""
    await session.execute(delete(UsedOnce).where(col(UsedOnce.expires_at) <= now))
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(_TABLE)
        .values(purpose=purpose, digest=digest_of(key), expires_at=until)
        .on_conflict_do_nothing(index_elements=["purpose", "digest"])
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]
