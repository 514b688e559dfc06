"""The inform_duty table: one row per disclosure without consent that the person must be told
of (pasient- og brukerrettighetsloven § 3-6), with who tells them, or why nobody does.

`decision_id` names a row of app.decisions' `manual_decision` without a foreign key, so this
package knows nothing of the decisions that open duties.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Column
from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class InformTrigger(StrEnum):
    """What opened the duty."""

    INTAKE = "intake"
    """AMK disclosed the alert to the team without consent (`not_asked`, `unable`)."""
    MANUAL_DECISION = "manual_decision"
    """A recorded manual disclosure (police, child welfare, relatives, pregnancy)."""


class InformDuty(SQLModel, table=True):
    __tablename__ = "inform_duty"
    __table_args__ = (
        CheckConstraint("informed_by IS NULL OR not_informed_reason IS NULL", name="one_answer"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    alert_id: uuid.UUID = Field(foreign_key="alert.id", index=True)
    opened_at: datetime = Field(sa_type=UTCDateTime)
    trigger: str = Field(max_length=20)
    decision_id: uuid.UUID | None = Field(
        default=None, description="The manual decision that opened it (trigger manual_decision)"
    )
    recipient: str = Field(max_length=100, description="Who the data was disclosed to")
    categories: list[str] = Field(sa_column=Column(JSON, nullable=False))
    informed_by: str | None = Field(
        default=None, max_length=100, description="Who tells the person what was shared"
    )
    not_informed_reason: str | None = Field(
        default=None,
        max_length=500,
        description="Why the person is not told («så langt forholdene tilsier det»)",
    )
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recorded_by: str | None = Field(default=None, max_length=210)
