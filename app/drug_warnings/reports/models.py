"""Table: concern reports. A report's description was checked for personal data
(`app.privacy.free_text.personal_data_in`) before it was kept."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class ConcernReport(SQLModel, table=True):
    """A report of a dangerous drug in circulation, by staff or a partner, filed by hand."""

    __tablename__ = "concern_report"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    municipality_code: str = Field(foreign_key="municipality.code", max_length=4, index=True)
    reporter_kind: str = Field(max_length=30)
    description: str = Field(max_length=1000, description="Checked for personal data")
    substances: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    observed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    client_id: str | None = Field(default=None, foreign_key="api_client.id", max_length=64)
    """The partner or case system that filed it; None when a staff member did (`member_id`)."""
    member_id: uuid.UUID | None = Field(default=None, foreign_key="member.id")
    """The staff member who filed it (the staff pages, or the API with a session token)."""
    created_at: datetime = Field(sa_type=UTCDateTime)
