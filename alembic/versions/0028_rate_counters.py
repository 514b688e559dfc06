"""rate counters every instance sees

Revision ID: 0028
Revises: 0027

Issue 21 item 6: the rate limits (the token endpoint's wrong secrets, staff sign-in, guessed
links) counted in each process's memory, so two API instances gave an attacker twice the
budget. `rate_counter` keeps one row per limit, key digest (HMAC, never the key) and fixed
window, counted with atomic upserts by app.counters; `expires_at` (indexed) lets expired rows
be deleted cheaply. The downgrade drops the table: the counts are short-lived by nature.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.dbtypes
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_counter",
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("window_start", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "digest", "window_start", name=op.f("pk_rate_counter")),
    )
    op.create_index(
        op.f("ix_rate_counter_expires_at"), "rate_counter", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_rate_counter_expires_at"), table_name="rate_counter")
    op.drop_table("rate_counter")
