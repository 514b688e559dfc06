"""The municipalities' own follow-up templates; without a row the default applies
(`defaults`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.dbtypes import EnumText, UTCDateTime
from app.followup.template_schema import TemplateKind


class FollowupTemplateRow(SQLModel, table=True):
    """A municipality's own template of one kind; without a row the default applies."""

    __tablename__ = "followup_template"

    municipality_code: str = Field(foreign_key="municipality.code", primary_key=True, max_length=4)
    kind: TemplateKind = Field(primary_key=True, sa_type=EnumText(TemplateKind, 20))
    body: dict[str, Any] = Field(
        sa_column=Column(JSON, nullable=False),
        description="The template as validated by app.followup.template_schema",
    )
    updated_at: datetime = Field(sa_type=UTCDateTime)
