"""The alert_event table: one row per thing that happened to an alert.

Rows are only inserted; `data` holds no personal data of the patient (roles, step numbers,
the staff member who took the alert, the answer to the crew), so the dispatcher may read it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, SQLModel

from app.dbtypes import EnumText, UTCDateTime


class AlertEventKind(StrEnum):
    RECEIVED = "received"
    PAGED = "paged"
    ACKNOWLEDGED = "acknowledged"
    ANSWERED = "answered"
    EXHAUSTED = "exhausted"
    LATE = "late"
    TRIAGED = "triaged"
    """What triage decided: page now, in working hours, nobody, or the leader (fatal)."""
    LEADER_TOLD = "leader_told"
    """A fatal alert: the leader was told instead of the on-duty team."""
    FATAL_CONTACT_TOLD = "fatal_contact_told"
    """A fatal alert: the municipality's named fatal contact was told (with the leader)."""
    SUPPLEMENTED = "supplemented"
    STOPPED = "stopped"
    """Paging stopped before anyone took the alert: a supplement said nobody is to be paged."""


class AlertEvent(SQLModel, table=True):
    __tablename__ = "alert_event"
    __table_args__ = (Index("ix_alert_event_alert", "alert_id", "seq"),)

    seq: int | None = Field(default=None, primary_key=True, description="Insertion order")
    alert_id: uuid.UUID = Field(foreign_key="alert.id")
    at: datetime = Field(sa_type=UTCDateTime)
    kind: AlertEventKind = Field(sa_type=EnumText(AlertEventKind, 20))
    data: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False, server_default=text("'{}'")),
    )
