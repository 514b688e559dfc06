"""The alert table.

Identity and contact fields are personal data; issue #3 moves them behind encryption.
No column holds a value that was dropped at intake.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class Alert(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("client_id", "dispatch_incident_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    client_id: str = Field(foreign_key="api_client.id", max_length=64)
    dispatch_incident_id: str = Field(max_length=100)
    request_fingerprint: str = Field(max_length=64, description="Hash of the validated request")
    municipality_code: str = Field(foreign_key="municipality.code", max_length=4, index=True)
    kind: str = Field(max_length=20)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(sa_type=UTCDateTime, index=True)
    status: str = Field(max_length=20)
    notified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    consent_state: str = Field(max_length=20)
    consent_recipients: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    consent_categories: list[str] | None = Field(default=None, sa_column=Column(JSON))

    place_description: str | None = Field(default=None, max_length=500)
    place_latitude: float | None = None
    place_longitude: float | None = None
    place_type: str | None = Field(default=None, max_length=20)

    person_national_id: str | None = Field(default=None, max_length=11)
    person_name: str | None = Field(default=None, max_length=200)
    person_phone: str | None = Field(default=None, max_length=20)
    person_birth_year: int | None = None
    person_sex: str | None = Field(default=None, max_length=10)
    person_homeless: bool | None = None
    person_children_in_household: bool | None = None

    substances: list[str] | None = Field(default=None, sa_column=Column(JSON))
    naloxone_given: bool | None = None
    naloxone_doses: int | None = None
    outcome: str | None = Field(default=None, max_length=30)
    observed_two_hours: bool | None = None

    reporter_unit: str | None = Field(default=None, max_length=200)
    reporter_callback_phone: str | None = Field(default=None, max_length=20)

    dropped_fields: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
