"""retention: alerts purged, open cases flagged, the log of purges, the municipalities' periods

Revision ID: 0031
Revises: 0030

Issue 22 item 1 (app/retention): `alert.purged_at` (when its identifying data was purged;
indexed, the engine looks for NULL), `followup_case.retention_flagged_at` (an open case that
reached the age: its leader was told, once), `retention_run` (when, what, where and how many
retention purged; nothing about a person) and `retention_settings` (a municipality's own case
period, the settings document `retention`). Columns added are nullable, so no table is rebuilt;
the downgrade drops them (SQLite 3.35 and later drop a column in place).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.dbtypes
from alembic import op

revision: str = "0031"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("alert", sa.Column("purged_at", app.dbtypes.UTCDateTime(timezone=True)))
    op.create_index(op.f("ix_alert_purged_at"), "alert", ["purged_at"], unique=False)
    op.add_column(
        "followup_case",
        sa.Column("retention_flagged_at", app.dbtypes.UTCDateTime(timezone=True)),
    )
    op.create_table(
        "retention_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=4)),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_run")),
    )
    op.create_index(
        "ix_retention_run_category",
        "retention_run",
        ["category", "municipality_code"],
        unique=False,
    )
    op.create_table(
        "retention_settings",
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("case_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "case_days BETWEEN 1 AND 3650", name=op.f("ck_retention_settings_case_days_range")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_retention_settings_municipality_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_code", name=op.f("pk_retention_settings")),
    )


def downgrade() -> None:
    op.drop_table("retention_settings")
    op.drop_index("ix_retention_run_category", table_name="retention_run")
    op.drop_table("retention_run")
    op.drop_column("followup_case", "retention_flagged_at")
    op.drop_index(op.f("ix_alert_purged_at"), table_name="alert")
    op.drop_column("alert", "purged_at")
