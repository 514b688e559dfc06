"""Tables of staff sign-in: one-time SMS links and sessions. Tokens are never stored, only
their SHA-256 (each carries at least 95 random bits, so a plain hash cannot be reversed)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class SignInVia(StrEnum):
    SMS_LINK = "sms_link"
    OIDC = "oidc"


class StaffSignInLink(SQLModel, table=True):
    """A one-time sign-in link sent by SMS to a mobile number (every active member with that
    number may use it: one person can be in two teams). Used once, dead at `expires_at`."""

    __tablename__ = "staff_signin_link"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    mobile: str = Field(max_length=16, index=True, description="E.164, the member's mobile")
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    session_id: uuid.UUID | None = Field(
        default=None, foreign_key="staff_session.id", description="The session it started"
    )


class StaffSession(SQLModel, table=True):
    """A signed-in staff member: the cookie of the pages or the bearer token of the API."""

    __tablename__ = "staff_session"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    member_id: uuid.UUID = Field(foreign_key="member.id", index=True)
    via: str = Field(max_length=10, description="SignInVia: sms_link or oidc")
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    signed_out_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
