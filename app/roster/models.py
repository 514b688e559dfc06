"""Roster tables: municipalities, teams, members, and duty rosters.

Instants are stored in UTC (UTCDateTime). Rotation handoffs and daily windows are Europe/Oslo
wall-clock rules: the anchor instant plus naive local times, read by app.roster.rota.oncall.
Member ids inside JSON columns are UUID strings, the ids the pure on-call code works with.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class Municipality(SQLModel, table=True):
    """A municipality the service serves, keyed by its kommunenummer."""

    code: str = Field(primary_key=True, min_length=4, max_length=4)
    name: str = Field(max_length=100)
    written_standard: str = Field(
        default="nb",
        max_length=2,
        sa_column_kwargs={"server_default": "nb"},
        description="app.roster.enums.WrittenStandard: the default language of its SMS and pages",
    )
    created_at: datetime = Field(sa_type=UTCDateTime)


class Team(SQLModel, table=True):
    """A municipal team; the one with `receives_alerts` is paged for the municipality."""

    __tablename__ = "team"
    __table_args__ = (
        UniqueConstraint("municipality_code", "name"),
        # At most one receiving team per municipality. The service checks first for a clear
        # 409; the index holds when two requests race.
        Index(
            "uq_team_alert_receiver",
            "municipality_code",
            unique=True,
            sqlite_where=text("receives_alerts"),
            postgresql_where=text("receives_alerts"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    municipality_code: str = Field(foreign_key="municipality.code", max_length=4, index=True)
    name: str = Field(max_length=100)
    receives_alerts: bool = False
    # No foreign key: team and member would reference each other. The service checks that the
    # leader is an active member of this team; members are deactivated, never deleted.
    leader_member_id: uuid.UUID | None = None
    tell_others_when_taken: bool = Field(
        default=True,
        sa_column_kwargs={"server_default": text("true")},
        description="When someone takes an alert, the others paged for it get an SMS",
    )
    created_at: datetime = Field(sa_type=UTCDateTime)


class Member(SQLModel, table=True):
    """A person on the team. Deactivated members are kept: alerts and audit refer to them."""

    __tablename__ = "member"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    team_id: uuid.UUID = Field(foreign_key="team.id", index=True)
    name: str = Field(max_length=100)
    mobile: str = Field(max_length=16, description="E.164, a Norwegian mobile number")
    email: str | None = Field(default=None, max_length=254, description="Lower case")
    role: str = Field(max_length=30)
    is_health_personnel: bool = Field(
        description="Kept equal to `health_personnel_basis is not None`: the consent rules read it"
    )
    health_personnel_basis: str | None = Field(
        default=None,
        max_length=30,
        description="app.roster.enums.HealthPersonnelBasis; None: cooperating personnel (§ 25)",
    )
    language: str | None = Field(
        default=None,
        max_length=2,
        description="app.roster.enums.Language; None: the municipality's written standard",
    )
    active: bool = True
    sms_opted_out_at: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        description="The member replied STOP: Twilio sends them nothing until START, so they "
        "are never on duty meanwhile (a roster hole)",
    )
    created_at: datetime = Field(sa_type=UTCDateTime)


class _RosterRow(SQLModel):
    """A row of a team's duty roster: a rotation, a shift or an override."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    team_id: uuid.UUID = Field(foreign_key="team.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class RotationRow(_RosterRow, table=True):
    """Members taking turns every `shift_days`, optionally only within a daily window."""

    __tablename__ = "rotation"
    __table_args__ = (CheckConstraint("shift_days >= 1", name="shift_days_positive"),)

    name: str | None = Field(default=None, max_length=100)
    member_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    anchor: datetime = Field(sa_type=UTCDateTime)
    shift_days: int
    window_start: time | None = None
    window_end: time | None = None


class ShiftRow(_RosterRow, table=True):
    """A one-off shift, entered by hand or imported from a calendar."""

    __tablename__ = "shift"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    member_id: uuid.UUID = Field(foreign_key="member.id")
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    source: str = Field(max_length=10)


class OverrideRow(_RosterRow, table=True):
    """Adds a member, replaces one by another, or takes one off duty for a while."""

    __tablename__ = "roster_override"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "member_id IS NOT NULL OR replaces_member_id IS NOT NULL", name="names_a_member"
        ),
    )

    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    member_id: uuid.UUID | None = Field(default=None, foreign_key="member.id")
    replaces_member_id: uuid.UUID | None = Field(default=None, foreign_key="member.id")
    reason: str | None = Field(default=None, max_length=200)
