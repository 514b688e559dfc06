"""The table of anonymous facts, one row per alert, that every count is made from.

A fact holds no name, number, place or free text: only the coarse values the local mapping
counts (seed 003; BRIEF § 9 "Statistics the seeds count"). It outlives the alert's identity:
the retention engine refreshes it with `freeze=True` in the transaction that purges the
alert (`app.statistics.facts.refresh_facts`), so the counts of a month never change when
identity goes. `person_key` (the alert's keyed national-id hash) is there only to count
distinct persons inside the database: it is never selected into an answer, a CSV or a page.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, Index, false
from sqlmodel import Field, SQLModel

from app.dbtypes import EnumText, UTCDateTime
from app.overdose.enums import AlertKind


class AlertFact(SQLModel, table=True):
    __tablename__ = "alert_fact"
    __table_args__ = (Index("ix_alert_fact_municipality_month", "municipality_code", "month"),)

    alert_id: uuid.UUID = Field(foreign_key="alert.id", primary_key=True)
    municipality_code: str = Field(max_length=4)
    month: str = Field(max_length=7, description='Europe/Oslo month of the overdose: "2026-11"')
    kind: AlertKind = Field(sa_type=EnumText(AlertKind, 20))
    outcome: str | None = Field(default=None, max_length=30)
    destination: str | None = Field(default=None, max_length=30)
    substance_groups: list[str] | None = Field(
        default=None,
        sa_column=Column(JSON),
        description="Groups of the substances reported (`facts.SUBSTANCE_GROUP`); None: none "
        "reported",
    )
    place_type: str | None = Field(default=None, max_length=30)
    evening: bool = Field(description="Outside 08-16 Europe/Oslo (`facts.is_evening`)")
    weekend: bool = Field(description="Saturday or Sunday, Europe/Oslo")
    sex: str | None = Field(default=None, max_length=10)
    age_band: str | None = Field(default=None, max_length=10)
    naloxone: bool | None = None
    naloxone_by_bystander: bool | None = None
    person_key: str | None = Field(
        default=None,
        max_length=64,
        description="The alert's keyed national-id hash, for distinct persons; never leaves "
        "the database",
    )
    minutes_to_acknowledge: int | None = None
    reached_within_24h: bool | None = None
    next_appointment: bool | None = None
    frozen: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": false()},
        description="Identity was purged: the fact is final and never recomputed",
    )
    refreshed_at: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        description="When it was last written (the writer's clock)",
    )
