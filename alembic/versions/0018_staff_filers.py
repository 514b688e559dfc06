"""staff file concern reports and draft warnings themselves

Revision ID: 0018
Revises: 0017

`concern_report` and `drug_warning` were filed only by API clients (`client_id`, not null).
Staff now file and draft too, on the staff pages or through the API with a session token:
`client_id` becomes nullable and `member_id` (the member, a foreign key) is added.

SQLite cannot drop NOT NULL in place: batch mode rebuilds both tables. Other tables reference
them, so SQLite's foreign-key enforcement is off for the rebuild (it can only be switched
outside a transaction), checked with `PRAGMA foreign_key_check` and switched on again. A downgrade refuses while a staff-filed row exists, rather than deleting it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("concern_report", "drug_warning")


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


def upgrade() -> None:
    _foreign_keys(False)
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(
                "client_id",
                existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=True,
            )
            batch_op.add_column(sa.Column("member_id", sa.Uuid(), nullable=True))
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_member_id_member"), "member", ["member_id"], ["id"]
            )
    _check_foreign_keys()
    _foreign_keys(True)


def downgrade() -> None:
    for table in TABLES:
        staff_filed = op.get_bind().execute(
            sa.text(f"SELECT count(*) FROM {table} WHERE client_id IS NULL")  # noqa: S608
        )
        if staff_filed.scalar_one():
            raise RuntimeError(f"{table} holds rows filed by staff: they have no client")
    _foreign_keys(False)
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(f"fk_{table}_member_id_member"), type_="foreignkey")
            batch_op.drop_column("member_id")
            batch_op.alter_column(
                "client_id",
                existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
            )
    _check_foreign_keys()
    _foreign_keys(True)
