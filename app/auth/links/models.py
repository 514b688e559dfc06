"""The recipient_link table: a capability to see and take one alert, for one staff member.

The token itself is never stored: only its SHA-256 (the token carries 71 random bits, so a
plain hash cannot be reversed by guessing). A link dies at `expires_at`, when it is revoked
(the member was deactivated), or when the member is no longer active.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class RecipientLink(SQLModel, table=True):
    __tablename__ = "recipient_link"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    alert_id: uuid.UUID = Field(foreign_key="alert.id", index=True)
    member_id: uuid.UUID = Field(foreign_key="member.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
