"""who consented, and the consent as recorded where the rule for minors changed it

Revision ID: 0023
Revises: 0021

Issue 20, item 12 (docs/rules.md: "Minors"): under 16 the parents consent, so a consent the
crew recorded from the child alone counts as `not_asked`.

* `alert.consent_given_by`: who gave the recorded consent (`person`, `parent_or_guardian`);
  NULL where the sender did not say, as for every alert stored before.
* `alert.consent_recorded_state`: the consent as recorded where the rule made it count as
  `consent_state` instead; NULL where it counts as recorded, as for every alert stored before.

Columns are added and dropped with plain ALTER TABLE, as in 0020, so no table is rebuilt.
(Written on 0021 beside another branch's 0022; the lead re-chains it when merging.)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("consent_given_by", "consent_recorded_state")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column(
            "alert",
            sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        )


def downgrade() -> None:
    for name in reversed(COLUMNS):
        op.execute(f"ALTER TABLE alert DROP COLUMN {name}")
