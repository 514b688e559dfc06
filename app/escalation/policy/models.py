"""Escalation policy tables: one policy per team and its ordered steps.

A team without a row here escalates by `rules.DEFAULT_POLICY` (see `service.load_policy`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class EscalationPolicyRow(SQLModel, table=True):
    __tablename__ = "escalation_policy"
    __table_args__ = (CheckConstraint('"repeat" >= 0', name="repeat_not_negative"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    team_id: uuid.UUID = Field(foreign_key="team.id", unique=True)
    repeat: int
    fallback_number: str | None = Field(default=None, max_length=16, description="E.164")
    updated_at: datetime = Field(sa_type=UTCDateTime)


class EscalationStepRow(SQLModel, table=True):
    __tablename__ = "escalation_step"
    __table_args__ = (
        UniqueConstraint("policy_id", "position"),
        CheckConstraint("delay_minutes >= 1", name="delay_positive"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    policy_id: uuid.UUID = Field(foreign_key="escalation_policy.id")
    position: int = Field(description="0-based order within the policy")
    delay_minutes: int
    targets: list[dict[str, Any]] = Field(
        sa_column=Column(JSON, nullable=False),
        description='[{"kind": "members", "member_ids": ["<uuid>", ...]}, ...]',
    )
