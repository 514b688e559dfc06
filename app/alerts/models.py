"""The alert table.

Identity, contact and place are personal data the person can be found by: each is kept only
as a sealed token (:mod:`app.alerts.sealing`), one per category, so a recipient's allowed
categories can be opened without opening the rest. The reporter (ambulance unit and callback
number, which with the time point to the person) is sealed too. The national id is also kept
as a keyed hash, to recognise the same person without decrypting. No column holds a value that was
dropped at intake.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class Alert(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("client_id", "dispatch_incident_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    client_id: str = Field(foreign_key="api_client.id", max_length=64)
    dispatch_incident_id: str = Field(max_length=100)
    request_fingerprint: str = Field(
        max_length=64, description="Keyed hash of the minimised request, to recognise retries"
    )
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
    consent_categories: list[str] | None = Field(
        default=None, sa_column=Column(JSON), description="None: all categories; []: none"
    )

    identity_sealed: str | None = Field(
        default=None, sa_type=Text, description="national id, name, birth year, sex"
    )
    contact_sealed: str | None = Field(default=None, sa_type=Text, description="phone")
    place_sealed: str | None = Field(
        default=None, sa_type=Text, description="description, latitude, longitude"
    )
    national_id_hash: str | None = Field(default=None, max_length=64, index=True)

    place_type: str | None = Field(default=None, max_length=20)
    person_homeless: bool | None = None
    person_children_in_household: bool | None = None

    substances: list[str] | None = Field(default=None, sa_column=Column(JSON))
    naloxone_given: bool | None = None
    naloxone_doses: int | None = None
    outcome: str | None = Field(default=None, max_length=30)
    observed_two_hours: bool | None = None

    reporter_sealed: str | None = Field(
        default=None, sa_type=Text, description="reporter unit and callback phone"
    )

    dropped_fields: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )

    inform_person_required: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": false()},
        description="Data was disclosed without consent (hpl § 25): the person must be told "
        "what was shared (pasient- og brukerrettighetsloven § 3-6)",
    )
    shared_without_consent: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, server_default=text("'[]'")),
        description="The categories disclosed under hpl § 25, to tell the person",
    )
