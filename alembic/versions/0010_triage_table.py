"""triage tables per municipality

Revision ID: 0010
Revises: 0009

* `triage_table`: each municipality's triage rules (JSON, in order), and its working hours
  (Oslo wall-clock start and end, working days as weekday numbers, Monday 0). A municipality
  without a row triages by the default table (hospital or legevakt: working hours; the rest
  pages now).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.dbtypes
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "triage_table",
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("working_start", sa.Time(), nullable=False),
        sa.Column("working_end", sa.Time(), nullable=False),
        sa.Column("working_days", sa.JSON(), nullable=False),
        sa.Column("updated_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_triage_table_municipality_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_code", name=op.f("pk_triage_table")),
    )


def downgrade() -> None:
    op.drop_table("triage_table")
