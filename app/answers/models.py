"""Tables: each municipality's answer options, and the answers given to crews."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.answers.rules import AnswerKind
from app.dbtypes import EnumText, UTCDateTime


class AnswerOptionsRow(SQLModel, table=True):
    """What the person who took an alert can answer; a municipality without a row uses
    `service.DEFAULT_OPTIONS`."""

    __tablename__ = "answer_options"

    municipality_code: str = Field(foreign_key="municipality.code", primary_key=True, max_length=4)
    coming_minutes: list[int] = Field(sa_column=Column(JSON, nullable=False))
    places: list[str] = Field(sa_column=Column(JSON, nullable=False))
    follow_up_when: list[str] = Field(sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(sa_type=UTCDateTime)


class AlertAnswer(SQLModel, table=True):
    """One answer to the crew. Several may follow each other; the latest stands."""

    __tablename__ = "alert_answer"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    alert_id: uuid.UUID = Field(foreign_key="alert.id", index=True)
    member_id: uuid.UUID | None = Field(default=None, foreign_key="member.id")
    kind: AnswerKind = Field(sa_type=EnumText(AnswerKind, 20))
    minutes: int | None = None
    place: str | None = Field(default=None, max_length=60)
    follow_up: str | None = Field(default=None, max_length=60)
    free_text: str | None = Field(
        default=None, max_length=100, description="Checked for personal data before it is kept"
    )
    via: str = Field(max_length=10)
    created_at: datetime = Field(sa_type=UTCDateTime)
