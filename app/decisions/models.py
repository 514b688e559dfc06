"""The manual_decision table: who decided to disclose what to whom, on which basis, and why.

Rows are only inserted. `access_log_entry_id` is the one access-log entry the decision wrote,
so the privacy officer's entry and the decision can be read together.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime

# The type of access_log_entry.id: BIGINT on PostgreSQL, INTEGER (the rowid) on SQLite.
_ENTRY_ID = BigInteger().with_variant(Integer(), "sqlite")


class ManualDecision(SQLModel, table=True):
    __tablename__ = "manual_decision"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    alert_id: uuid.UUID = Field(foreign_key="alert.id", index=True)
    decided_at: datetime = Field(sa_type=UTCDateTime)
    recipient: str = Field(max_length=30)
    basis: str = Field(max_length=20)
    attestations: list[str] = Field(
        sa_column=Column(JSON, nullable=False), description="The attestations given as true"
    )
    decided_by_name: str = Field(max_length=100)
    decided_by_role: str = Field(max_length=100)
    reason: str = Field(max_length=500)
    shared_categories: list[str] = Field(sa_column=Column(JSON, nullable=False))
    client_id: str = Field(
        foreign_key="api_client.id", max_length=64, description="The case system that recorded it"
    )
    access_log_entry_id: int = Field(
        sa_column=Column(_ENTRY_ID, ForeignKey("access_log_entry.id"), nullable=False)
    )
