"""alert_version.at indexed: the worker's idle probe asks every poll whether an alert was
supplemented since its cluster engine last looked (app/drug_warnings/signals/engine.py)

Revision ID: 0032
Revises: 0031
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_alert_version_at", "alert_version", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_alert_version_at", table_name="alert_version")
