"""Tables of reporters: who they are, the municipalities they may report for, their sign-in
links and sessions (tokens stored only as SHA-256, as staff sign-in's), and the alerts each
sent with the form (what their alert page may show)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from app.auth.staff.models import SessionColumns, SignInLinkColumns
from app.dbtypes import UTCDateTime


class Reporter(SQLModel, table=True):
    """A person who may send alerts with the form. Found again by mobile, or by name when
    there is no mobile (the YAML apply and `odvarsel add-reporter` upsert so)."""

    __tablename__ = "reporter"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200)
    mobile: str | None = Field(
        default=None, max_length=16, unique=True, description="E.164: the sign-in SMS"
    )
    email: str | None = Field(
        default=None, max_length=254, index=True, description="Lower case: OIDC sign-in"
    )
    reporter_type: str = Field(max_length=30, description="ReporterType: ambulance, amk, ...")
    unit: str | None = Field(default=None, max_length=200, description="e.g. 'Ambulanse 2'")
    callback_phone: str | None = Field(
        default=None, max_length=16, description="E.164; the mobile when absent"
    )
    language: str = Field(default="nb", max_length=5)
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ReporterMunicipality(SQLModel, table=True):
    __tablename__ = "reporter_municipality"

    reporter_id: uuid.UUID = Field(foreign_key="reporter.id", primary_key=True)
    municipality_code: str = Field(foreign_key="municipality.code", primary_key=True, max_length=4)


class ReporterSignInLink(SignInLinkColumns, table=True):
    """A one-time sign-in link sent by SMS to a reporter's mobile; dead at `expires_at`."""

    __tablename__ = "reporter_signin_link"

    reporter_id: uuid.UUID = Field(foreign_key="reporter.id", index=True)


class ReporterSession(SessionColumns, table=True):
    """A signed-in reporter: the cookie of the form's pages (never a bearer token)."""

    __tablename__ = "reporter_session"

    reporter_id: uuid.UUID = Field(foreign_key="reporter.id", index=True)


class ReporterAlert(SQLModel, table=True):
    """An alert a reporter sent with the form: only they see its page."""

    __tablename__ = "reporter_alert"

    alert_id: uuid.UUID = Field(foreign_key="alert.id", primary_key=True)
    reporter_id: uuid.UUID = Field(foreign_key="reporter.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
