"""Tables: warning settings per municipality, concern reports, cluster signals, warnings,
warnings received from a neighbouring municipality, and when each municipality's clusters
were last checked.

None of them holds personal data about a person who overdosed: signals name alerts by id
only, and every free text was checked (`app.privacy.free_text.personal_data_in`) before it
was kept. Staff and partner contacts are named, as the roster names its members.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class SignalStatus(StrEnum):
    OPEN = "open"
    """For the leader to look at."""
    WARNED = "warned"
    """A warning was drafted from it."""
    DISMISSED = "dismissed"
    """The leader decided no warning is needed; it opens again if the cluster grows."""


class WarningStatus(StrEnum):
    DRAFT = "draft"
    """Written and edited by the leader; reaches nobody."""
    APPROVED = "approved"
    """Approved and sent; in force until `expires_at`."""


class WarningSettingsRow(SQLModel, table=True):
    """Who a municipality's warnings go to, its cluster rules and its districts. A
    municipality without a row warns nobody by SMS and detects clusters by
    `clusters.DEFAULT_RULES`."""

    __tablename__ = "warning_settings"

    municipality_code: str = Field(foreign_key="municipality.code", primary_key=True, max_length=4)
    contacts: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description='[{"name": …, "mobile": E.164}]: who receives the SMS of a warning',
    )
    neighbours: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="Kommunenummer of served municipalities whose leaders receive the warnings",
    )
    cluster_rules: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON), description="None: the default rules"
    )
    districts: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, server_default=text("'[]'")),
        description='[{"name": …, "boundary": [[latitude, longitude], …]}]: the areas of '
        "district rules (`clusters.District`)",
    )
    updated_at: datetime = Field(sa_type=UTCDateTime)


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
    status: str = Field(max_length=20)
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


class DrugWarning(SQLModel, table=True):
    """A warning about a dangerous drug: drafted, edited and approved by the leader."""

    __tablename__ = "drug_warning"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    municipality_code: str = Field(foreign_key="municipality.code", max_length=4, index=True)
    signal_id: uuid.UUID | None = Field(default=None, foreign_key="cluster_signal.id")
    concern_report_id: uuid.UUID | None = Field(default=None, foreign_key="concern_report.id")
    text: str = Field(max_length=300, description="Checked for personal data")
    valid_days: int
    status: str = Field(max_length=20)
    client_id: str | None = Field(default=None, foreign_key="api_client.id", max_length=64)
    """The case system that drafted it; None when a staff member did (`member_id`)."""
    member_id: uuid.UUID | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(
        max_length=210, description="Name and role, as the case system sent or the member's"
    )
    updated_at: datetime = Field(sa_type=UTCDateTime)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_by: str | None = Field(default=None, max_length=210)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sms_body: str | None = Field(default=None, max_length=320, description="As sent")
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reviewed_by: str | None = Field(default=None, max_length=210)
    review_note: str | None = Field(default=None, max_length=1000)


class IncomingWarning(SQLModel, table=True):
    """An approved warning as it arrives in a neighbouring municipality's leader's list."""

    __tablename__ = "incoming_drug_warning"
    __table_args__ = (UniqueConstraint("warning_id", "municipality_code"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    warning_id: uuid.UUID = Field(foreign_key="drug_warning.id")
    municipality_code: str = Field(
        foreign_key="municipality.code", max_length=4, index=True, description="Who receives it"
    )
    received_at: datetime = Field(sa_type=UTCDateTime)
