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


class _TokenRow(SQLModel):
    """What a sign-in link and a session have alike, staff's and reporters' (app/reporters
    keeps its own tables of these): the hash of the token that names it, and its lifetime."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class SignInLinkColumns(_TokenRow):
    """The columns of a one-time sign-in link sent by SMS: used once, dead at `expires_at`."""

    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SessionColumns(_TokenRow):
    """The columns of a session a sign-in started, alive until it expires or is signed out."""

    via: str = Field(max_length=10, description="SignInVia: sms_link or oidc")
    signed_out_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StaffSignInLink(SignInLinkColumns, table=True):
    """A one-time sign-in link sent by SMS to a mobile number (every active member with that
    number may use it: one person can be in two teams). Used once, dead at `expires_at`."""

    __tablename__ = "staff_signin_link"

    mobile: str = Field(max_length=16, index=True, description="E.164, the member's mobile")
    session_id: uuid.UUID | None = Field(
        default=None, foreign_key="staff_session.id", description="The session it started"
    )


class StaffSession(SessionColumns, table=True):
    """A signed-in staff member: the cookie of the pages or the bearer token of the API."""

    __tablename__ = "staff_session"

    member_id: uuid.UUID = Field(foreign_key="member.id", index=True)
