"""Tables: warnings, and warnings received from a neighbouring municipality. A warning's text
was checked for personal data (`app.privacy.free_text.personal_data_in`) before it was kept."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.dbtypes import EnumText, UTCDateTime
from app.drug_warnings.recipients import WarningKind


class WarningStatus(StrEnum):
    DRAFT = "draft"
    """Written and edited by the leader; reaches nobody."""
    APPROVED = "approved"
    """Approved and sent; in force until `expires_at`."""


class DrugWarning(SQLModel, table=True):
    """A warning about a dangerous drug: drafted, edited and approved by the leader."""

    __tablename__ = "drug_warning"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    municipality_code: str = Field(foreign_key="municipality.code", max_length=4, index=True)
    signal_id: uuid.UUID | None = Field(default=None, foreign_key="cluster_signal.id")
    concern_report_id: uuid.UUID | None = Field(default=None, foreign_key="concern_report.id")
    text: str = Field(max_length=300, description="Checked for personal data")
    valid_days: int
    kind: WarningKind = Field(
        default=WarningKind.OTHER,
        sa_type=EnumText(WarningKind, 20),
        sa_column_kwargs={"server_default": "other"},
        description="`recipients.WarningKind`: decides who is suggested",
    )
    status: WarningStatus = Field(sa_type=EnumText(WarningStatus, 20))
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
    recipients: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, server_default=sa.text("'[]'")),
        description="Set at approval: who the leader chose and who was suggested "
        "(`recipients.dispatch_list`); empty for drafts and warnings approved before issue 20",
    )
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
