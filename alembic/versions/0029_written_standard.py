"""the municipality's written standard; a member's language may follow it

Revision ID: 0029
Revises: 0028

Issue 21 item 7 (nynorsk): `municipality` gains `written_standard` ("nb" bokmål or "nn"
nynorsk; bokmål for the municipalities stored before), the default language of its SMS and
pages. `member.language` becomes nullable: null follows the municipality's standard, "nb",
"nn" or "en" is the member's own choice. Until now bokmål was both the default and the only
Norwegian, so a stored "nb" is taken as "no choice" and becomes null: those members keep
bokmål in a bokmål municipality and follow a municipality that changes to nynorsk.

SQLite cannot drop NOT NULL in place: batch mode rebuilds `member`. Other tables reference it,
so SQLite's foreign-key enforcement is off for the rebuild (as in 0018), checked with
`PRAGMA foreign_key_check` and switched on again. The downgrade gives every member without a
choice, and every nynorsk member, bokmål again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _foreign_keys(enabled: bool) -> None:
    """Switch SQLite's enforcement: only outside a transaction, and every statement through
    SQLAlchemy opens one (`app.db` begins IMMEDIATE), so commit and use the driver."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.in_transaction():
        bind.commit()
    cursor = bind.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")
    finally:
        cursor.close()


def _check_foreign_keys() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    broken = op.get_bind().execute(sa.text("PRAGMA foreign_key_check")).fetchall()
    if broken:
        raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")


def _member_language(nullable: bool) -> None:
    _foreign_keys(False)
    with op.batch_alter_table("member") as batch_op:
        batch_op.alter_column(
            "language",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=2),
            nullable=nullable,
        )
    _check_foreign_keys()
    _foreign_keys(True)


def upgrade() -> None:
    op.add_column(
        "municipality",
        sa.Column(
            "written_standard",
            sqlmodel.sql.sqltypes.AutoString(length=2),
            nullable=False,
            server_default="nb",
        ),
    )
    _member_language(nullable=True)
    op.execute("UPDATE member SET language = NULL WHERE language = 'nb'")


def downgrade() -> None:
    op.execute("UPDATE member SET language = 'nb' WHERE language IS NULL OR language = 'nn'")
    _member_language(nullable=False)
    op.execute("ALTER TABLE municipality DROP COLUMN written_standard")
