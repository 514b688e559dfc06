"""follow-up settings per municipality

Revision ID: 0017
Revises: 0016

* `followup_settings`: a municipality's follow-up settings; for now the window of repeated
  overdoses in days (1 to 365). Without a row the default (30 days) applies.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.dbtypes
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "followup_settings",
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("repeat_window_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "repeat_window_days BETWEEN 1 AND 365",
            name=op.f("ck_followup_settings_repeat_window_days_range"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_followup_settings_municipality_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_code", name=op.f("pk_followup_settings")),
    )


def downgrade() -> None:
    op.drop_table("followup_settings")
