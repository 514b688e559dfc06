"""Table: who a municipality's warnings go to, its cluster rules and its districts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, text
from sqlmodel import Field, SQLModel

from app.dbtypes import UTCDateTime


class WarningSettingsRow(SQLModel, table=True):
    """Who a municipality's warnings go to, its cluster rules and its districts. A
    municipality without a row warns nobody by SMS and detects clusters by
    `clusters.DEFAULT_RULES`."""

    __tablename__ = "warning_settings"

    municipality_code: str = Field(foreign_key="municipality.code", primary_key=True, max_length=4)
    contacts: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description='[{"name": …, "mobile": E.164, "kinds": […]}]: who may receive the SMS of '
        "a warning (no `kinds`: every kind)",
    )
    neighbours: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="Kommunenummer of served municipalities whose leaders receive the warnings",
    )
    external: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, server_default=text("'[]'")),
        description='[{"name": …, "municipality": …, "mobile": E.164, "email": …, "kinds": […]}]: '
        "recipients outside the service (`recipients.recipients_of`)",
    )
    cluster_rules: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON), description="None: the default rules"
    )
    districts: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, server_default=text("'[]'")),
        description='[{"name": …, "boundary": [[latitude, longitude], …]}]: the areas of '
        "district rules (`clusters.District`)",
    )
    updated_at: datetime = Field(sa_type=UTCDateTime)
