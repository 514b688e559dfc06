"""Table: each municipality's follow-up settings (a municipality without a row has the
defaults)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class FollowupSettingsRow(SQLModel, table=True):
    """A municipality's follow-up settings; without a row the defaults apply."""

    __tablename__ = "followup_settings"
    __table_args__ = (
        CheckConstraint("repeat_window_days BETWEEN 1 AND 365", name="repeat_window_days_range"),
    )

    municipality_code: str = Field(foreign_key="municipality.code", primary_key=True, max_length=4)
    repeat_window_days: int = Field(
        description="Repeated overdoses: how many days back an earlier non-fatal overdose of "
        "the same person counts (app.followup.repeated)"
    )
    coordinating_unit: str | None = Field(
        default=None,
        max_length=100,
        description="Who convenes the urgent meeting of repeated overdoses and may receive "
        "the concern report (None: `repeated.DEFAULT_COORDINATING_UNIT`)",
    )
    updated_at: datetime = Field(sa_type=UTCDateTime)
