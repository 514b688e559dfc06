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


# Plain ALTER TABLE on both databases (SQLite >= 3.35 drops columns itself): batch mode
# would recreate api_client, which SQLite refuses while api_client_municipality refers to it.
def upgrade() -> None:
    op.add_column(
        "api_client",
        sa.Column("secret_version", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("api_client", "secret_version")
