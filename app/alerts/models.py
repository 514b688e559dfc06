"""The alert table.

Every category of personal data is kept only as a sealed token (:mod:`app.alerts.sealing`),
one per category, so a recipient's allowed categories open without the rest. The reporter
(unit and callback number, which with the time point to the person) is sealed too. The
national id is also kept as a keyed hash, to recognise the same person without decrypting.
No column holds a value that was dropped at intake or purged by a supplement.

The dispatch incident id is kept as a keyed hash (to recognise a retry) and sealed (for the
answers to the dispatch system); an objected alert keeps only the hash.

The plain columns are what is safe to count (statistics read only these): municipality, kind,
times, consent state, age band, reporter type, triage.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

from app.alerts.enums import AlertStatus
from app.consent.enums import ConsentState
from app.dbtypes import EnumText, UTCDateTime
from app.overdose.enums import AlertKind


class Alert(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("client_id", "dispatch_incident_hash"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    client_id: str = Field(foreign_key="api_client.id", max_length=64)
    dispatch_incident_hash: str = Field(
        max_length=64,
        description="Keyed hash of the dispatch incident id: a retry finds its alert by it",
    )
    dispatch_incident_sealed: str | None = Field(
        default=None,
        sa_type=Text,
        description="The dispatch incident id, sealed, for the answers to the dispatch system; "
        'None on an objected alert (docs/rules.md, "Dispatch incident id")',
    )
    request_fingerprint: str = Field(
        max_length=64, description="Keyed hash of the minimised request, to recognise retries"
    )
    municipality_code: str = Field(foreign_key="municipality.code", max_length=4, index=True)
    kind: AlertKind = Field(sa_type=EnumText(AlertKind, 20))
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(sa_type=UTCDateTime, index=True)
    status: AlertStatus = Field(sa_type=EnumText(AlertStatus, 20))
    notified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    consent_state: ConsentState = Field(sa_type=EnumText(ConsentState, 20))
    consent_recipients: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    consent_categories: list[str] | None = Field(
        default=None, sa_column=Column(JSON), description="None: all categories; []: none"
    )
    consent_given_by: str | None = Field(
        default=None,
        max_length=20,
        description="Who gave the recorded consent: person, parent_or_guardian; None: not said",
    )
    consent_recorded_state: str | None = Field(
        default=None,
        max_length=20,
        description="The consent as recorded, where the rule for minors makes it count as "
        '`consent_state` instead (docs/rules.md, "Minors"); None: it counts as recorded',
    )

    identity_sealed: str | None = Field(
        default=None, sa_type=Text, description="national id, name, birth year, sex"
    )
    contact_sealed: str | None = Field(default=None, sa_type=Text, description="phone")
    place_sealed: str | None = Field(
        default=None, sa_type=Text, description="description, latitude, longitude"
    )
    national_id_hash: str | None = Field(default=None, max_length=64, index=True)

    situation_sealed: str | None = Field(
        default=None, sa_type=Text, description="housing, children, kind of place, others present"
    )
    acute_risk_sealed: str | None = Field(
        default=None, sa_type=Text, description="outcome, observation, naloxone, severity"
    )
    substances_sealed: str | None = Field(
        default=None, sa_type=Text, description="substances, certainty, drug description"
    )
    bystanders_sealed: str | None = Field(
        default=None, sa_type=Text, description="relative present, relative called 113"
    )

    age_band: str | None = Field(default=None, max_length=10)
    reporter_type: str | None = Field(default=None, max_length=30)
    triage_action: str | None = Field(default=None, max_length=20)
    triage_reason: str | None = Field(default=None, max_length=30)
    triage_page_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    triage_first_contact_ward: bool = Field(
        default=False, sa_column_kwargs={"server_default": false()}
    )
    version: int = Field(
        default=1,
        sa_column_kwargs={"server_default": text("1")},
        description="1 as first sent, +1 for each supplement (app.alerts.supplements)",
    )

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
    purged_at: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        index=True,
        description="When retention purged its identifying data (app.retention.purge); None: kept",
    )


class AlertVersion(SQLModel, table=True):
    """A supplement to an alert: when, from whom, what changed, and the personal values it
    replaced (sealed), so the history is kept and nothing is silently overwritten."""

    __tablename__ = "alert_version"
    __table_args__ = (UniqueConstraint("alert_id", "supplement_id"),)

    alert_id: uuid.UUID = Field(foreign_key="alert.id", primary_key=True)
    version: int = Field(primary_key=True, description="2 for the first supplement")
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    client_id: str = Field(max_length=64)
    supplement_id: str | None = Field(default=None, max_length=100)
    fingerprint: str = Field(max_length=64, description="Keyed hash of the supplement as kept")
    changed: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="Paths of the fields it set (no values)",
    )
    consent_state: ConsentState = Field(
        sa_type=EnumText(ConsentState, 20), description="The consent after it"
    )
    purged: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="Categories it purged: the consent no longer lets anyone see them",
    )
    replaced_sealed: str | None = Field(
        default=None, sa_type=Text, description="The personal values it replaced"
    )
    dropped_fields: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
