"""Table: each municipality's triage table (a municipality without a row uses the default)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Time
from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class TriageTableRow(SQLModel, table=True):
    """The rules in order, as JSON objects (`action`, the conditions as lists of values or
    null, `first_contact_ward`); the working hours in Oslo wall-clock time, with the short and
    closed days as lists of day texts (`rules.parse_day`); when a fatal alert is told, and to
    whom besides the leader (the fatal contact, or none)."""

    __tablename__ = "triage_table"

    municipality_code: str = Field(foreign_key="municipality.code", primary_key=True, max_length=4)
    rules: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    working_start: time = Field(sa_column=Column(Time, nullable=False))
    working_end: time = Field(sa_column=Column(Time, nullable=False))
    working_days: list[int] = Field(sa_column=Column(JSON, nullable=False))
    short_days: list[str] = Field(sa_column=Column(JSON, nullable=False))
    short_day_end: time = Field(sa_column=Column(Time, nullable=False))
    closed_days: list[str] = Field(sa_column=Column(JSON, nullable=False))
    fatal_morning: time = Field(sa_column=Column(Time, nullable=False))
    fatal_evening: time = Field(sa_column=Column(Time, nullable=False))
    fatal_at_night: bool = Field(sa_column=Column(Boolean, nullable=False))
    fatal_contact_name: str | None = Field(default=None, max_length=100)
    fatal_contact_mobile: str | None = Field(default=None, max_length=16)
    """The municipality's named contact for fatal alerts, told with the leader (E.164)."""
    updated_at: datetime = Field(sa_type=UTCDateTime)
