"""keys that may be used once: inbound SMS ids and OIDC ID tokens

Revision ID: 0019
Revises: 0018

`used_once` keeps a SHA-256 digest of a key (an inbound MessageSid, an ID token) per purpose
until the key's window ends, so a replayed copy changes nothing (`app/once.py`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.dbtypes
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "used_once",
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("expires_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("purpose", "digest", name=op.f("pk_used_once")),
    )
    op.create_index(op.f("ix_used_once_expires_at"), "used_once", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_used_once_expires_at"), table_name="used_once")
    op.drop_table("used_once")
