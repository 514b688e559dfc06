"""The access log table: append-only, also in the database (triggers in migration 0002)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Integer
from sqlmodel import Field, SQLModel

from app.audit.enums import ActorKind, Channel
from app.dbtypes import EnumText, UTCDateTime

# BIGINT on PostgreSQL; on SQLite only INTEGER PRIMARY KEY is the auto-increasing rowid.
_ENTRY_ID = BigInteger().with_variant(Integer(), "sqlite")


class AccessLogEntry(SQLModel, table=True):
    """One disclosure of personal data: who saw what of whose data, on which basis, and why."""

    __tablename__ = "access_log_entry"

    id: int | None = Field(default=None, sa_column=Column(_ENTRY_ID, primary_key=True))
    at: datetime = Field(sa_type=UTCDateTime)
    actor_kind: ActorKind = Field(sa_type=EnumText(ActorKind, 20))
    actor_id: str = Field(max_length=64, index=True)
    municipality_code: str = Field(
        foreign_key="municipality.code",
        max_length=4,
        index=True,
        description="The municipality whose records were disclosed: who may audit the entry",
    )
    alert_id: uuid.UUID | None = Field(
        default=None, foreign_key="alert.id", index=True, description="None for a person lookup"
    )
    national_id_hash: str | None = Field(
        default=None, max_length=64, index=True, description="Whose data, as a keyed hash"
    )
    categories: list[str] = Field(sa_column=Column(JSON, nullable=False))
    legal_basis: str = Field(max_length=20)
    reason: str = Field(max_length=500)
    channel: Channel = Field(sa_type=EnumText(Channel, 10))
