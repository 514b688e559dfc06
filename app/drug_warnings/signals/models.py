"""Tables: cluster signals, and when each municipality's clusters were last checked. A signal
names alerts by id only."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.dbtypes import EnumText, UTCDateTime


class SignalStatus(StrEnum):
    OPEN = "open"
    """For the leader to look at."""
    WARNED = "warned"
    """A warning was drafted from it."""
    DISMISSED = "dismissed"
    """The leader decided no warning is needed; it opens again if the cluster grows."""


class Signal(SQLModel, table=True):
    """A cluster of overdoses found by `clusters.detect`: one row per cluster, which grows as
    alerts join it."""

    __tablename__ = "cluster_signal"
    __table_args__ = (Index("ix_cluster_signal_recent", "municipality_code", "last_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    municipality_code: str = Field(foreign_key="municipality.code", max_length=4)
    rule_key: str = Field(max_length=60, description="`ClusterRule.key` of the rule that fired")
    area: str = Field(max_length=20)
    min_count: int
    window_hours: float
    radius_km: float | None = None
    district: str | None = Field(
        default=None, max_length=60, description="For a district rule: the district's name"
    )
    centre_latitude: float | None = Field(default=None, description="Rounded to 2 decimals")
    centre_longitude: float | None = Field(default=None, description="Rounded to 2 decimals")
    alert_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    event_count: int
    first_at: datetime = Field(sa_type=UTCDateTime)
    last_at: datetime = Field(sa_type=UTCDateTime)
    status: SignalStatus = Field(sa_type=EnumText(SignalStatus, 20))
    raised_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    dismissed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    dismissed_by: str | None = Field(default=None, max_length=210)
    dismiss_note: str | None = Field(default=None, max_length=1000)


class ClusterCheck(SQLModel, table=True):
    """When the worker's cluster engine (`engine.ClusterEngine`) last checked a municipality:
    the next round looks for alerts received or supplemented since then (less a margin)."""

    __tablename__ = "cluster_check"

    municipality_code: str = Field(foreign_key="municipality.code", primary_key=True, max_length=4)
    checked_at: datetime = Field(sa_type=UTCDateTime)
