"""Roster tables."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class Municipality(SQLModel, table=True):
    """A municipality the service serves, keyed by its kommunenummer."""

    code: str = Field(primary_key=True, min_length=4, max_length=4)
    name: str = Field(max_length=100)
    created_at: datetime = Field(sa_type=UTCDateTime)
