"""Table: each municipality's triage table (a municipality without a row uses the default)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import JSON, Column, Time
from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class TriageTableRow(SQLModel, table=True):
    """The rules in order, as JSON objects (`action`, the conditions as lists of values or
    null, `first_contact_ward`), and the working hours in Oslo wall-clock time."""

    __tablename__ = "triage_table"

    municipality_code: str = Field(foreign_key="municipality.code", primary_key=True, max_length=4)
    rules: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    working_start: time = Field(sa_column=Column(Time, nullable=False))
    working_end: time = Field(sa_column=Column(Time, nullable=False))
    working_days: list[int] = Field(sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(sa_type=UTCDateTime)
