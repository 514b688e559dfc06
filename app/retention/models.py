"""Tables: the log of what retention purged, and each municipality's case period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class RetentionRun(SQLModel, table=True):
    """One batch of one category purged: when, what, where and how many; never which rows,
    nor anything about a person. `odvarsel retention report` sums it."""

    __tablename__ = "retention_run"
    __table_args__ = (Index("ix_retention_run_category", "category", "municipality_code"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)
    category: str = Field(max_length=30, description="`rules.Category`")
    municipality_code: str | None = Field(
        default=None, max_length=4, description="Cases and alerts; None for the other categories"
    )
    count: int = Field(description="Rows purged (or flagged, for `flagged`) in the batch")


class RetentionSettingsRow(SQLModel, table=True):
    """A municipality's own case period; without a row, `RETENTION__CASE_DAYS` applies."""

    __tablename__ = "retention_settings"
    __table_args__ = (CheckConstraint("case_days BETWEEN 1 AND 3650", name="case_days_range"),)

    municipality_code: str = Field(foreign_key="municipality.code", primary_key=True, max_length=4)
    case_days: int = Field(description="A closed case's identity is purged this many days after")
    updated_at: datetime = Field(sa_type=UTCDateTime)


class RetentionGate(SQLModel, table=True):
    """Lets the access log's append-only triggers (migration 0031) allow retention's deletes:
    a row here, written and removed again inside the deleting transaction, names the cutoff;
    the triggers let an entry go only if it is older than a gate's cutoff. Empty otherwise."""

    __tablename__ = "retention_gate"

    id: int | None = Field(default=None, primary_key=True)
    access_log_before: datetime = Field(sa_type=UTCDateTime)
