"""alert facts: the anonymous facts each count is made from

Revision ID: 0030
Revises: 0029

Issue 22 item 3 (statistics): `alert_fact`, one row per alert with only the coarse values the
local mapping counts (`app.statistics.models`), kept when the alert's identity is purged
(`frozen`). The downgrade drops it; the upgrade's facts are filled by the worker's
statistics engine.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.dbtypes
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_String = sqlmodel.sql.sqltypes.AutoString
_Time = app.dbtypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "alert_fact",
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", _String(length=4), nullable=False),
        sa.Column("month", _String(length=7), nullable=False),
        sa.Column("kind", _String(length=20), nullable=False),
        sa.Column("outcome", _String(length=30), nullable=True),
        sa.Column("destination", _String(length=30), nullable=True),
        sa.Column("substance_groups", sa.JSON(), nullable=True),
        sa.Column("place_type", _String(length=30), nullable=True),
        sa.Column("evening", sa.Boolean(), nullable=False),
        sa.Column("weekend", sa.Boolean(), nullable=False),
        sa.Column("sex", _String(length=10), nullable=True),
        sa.Column("age_band", _String(length=10), nullable=True),
        sa.Column("naloxone", sa.Boolean(), nullable=True),
        sa.Column("naloxone_by_bystander", sa.Boolean(), nullable=True),
        sa.Column("person_key", _String(length=64), nullable=True),
        sa.Column("minutes_to_acknowledge", sa.Integer(), nullable=True),
        sa.Column("reached_within_24h", sa.Boolean(), nullable=True),
        sa.Column("next_appointment", sa.Boolean(), nullable=True),
        sa.Column("frozen", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("refreshed_at", _Time(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_alert_fact_alert_id_alert")
        ),
        sa.PrimaryKeyConstraint("alert_id", name=op.f("pk_alert_fact")),
    )
    op.create_index(
        "ix_alert_fact_municipality_month",
        "alert_fact",
        ["municipality_code", "month"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_alert_fact_municipality_month", table_name="alert_fact")
    op.drop_table("alert_fact")
