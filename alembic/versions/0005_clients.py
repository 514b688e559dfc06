"""api_client.secret_version: revoke tokens when a secret is rotated

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_client") as batch_op:
        batch_op.add_column(
            sa.Column("secret_version", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("api_client") as batch_op:
        batch_op.drop_column("secret_version")
