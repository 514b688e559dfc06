"""the municipality's named fatal contact

Revision ID: 0025
Revises: 0021

Issue 20 item 1 (docs/rules.md: "The municipality's fatal contact"): `triage_table` gains
`fatal_contact_name` and `fatal_contact_mobile` (E.164), the contact a municipality names
(e.g. the kommuneoverlege or the crisis team) to be told of a fatal alert with the leader.
Null for the tables stored before: the leader only, as before.

Columns are added and dropped with plain ALTER TABLE, as in 0020 and 0021, so no table is
rebuilt. (Numbered 0025 for its branch; the lead re-chains `down_revision` when merging.)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("triage_table", sa.Column("fatal_contact_name", sa.String(100), nullable=True))
    op.add_column(
        "triage_table", sa.Column("fatal_contact_mobile", sa.String(16), nullable=True)
    )


def downgrade() -> None:
    op.execute("ALTER TABLE triage_table DROP COLUMN fatal_contact_mobile")
    op.execute("ALTER TABLE triage_table DROP COLUMN fatal_contact_name")
