"""districts: areas a municipality draws for its cluster rules

Revision ID: 0016
Revises: 0015

* `warning_settings.districts`: the municipality's districts (bydeler), each a name and a
  polygon of [latitude, longitude] points: `[{"name": …, "boundary": [[lat, lon], …]}]`.
  Existing rows get an empty list: no districts, so no district rule (the admin API refuses
  a district rule without one).
* `cluster_signal.district`: for a signal of a district rule, the district it is in (null
  for the municipality and radius rules, and for every signal raised before).

Columns are added and dropped with plain ALTER TABLE, not batch mode: on SQLite a batch
rebuild would drop tables that other tables reference (`cluster_signal` is referenced by
`drug_warning`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "warning_settings",
        sa.Column("districts", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
    )
    op.add_column(
        "cluster_signal",
        sa.Column("district", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    )


def downgrade() -> None:
    op.execute("ALTER TABLE cluster_signal DROP COLUMN district")
    op.execute("ALTER TABLE warning_settings DROP COLUMN districts")
