"""sealed reporter

Revision ID: 0007
Revises: 0006

`alert.reporter_unit` and `alert.reporter_callback_phone` were plain text; the unit and its
callback number, with the time, point to the person treated. They become one sealed token,
`reporter_sealed` (AES-256-GCM, context `alert:<id>:reporter`, as app.alerts.sealing seals
it). Existing rows are sealed here with the configured keys (CRYPTO__KEYS /
CRYPTO__ACTIVE_KEY_ID: run the migration with the service's settings), then the plain
columns are dropped. The downgrade opens the tokens and restores the plain columns.

The columns are added and dropped with plain ALTER TABLE, not batch mode: on SQLite a batch
rebuild of `alert` would drop a table that other tables reference.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import context, op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FIELDS = (("reporter.unit", "reporter_unit"), ("reporter.callback_phone", "reporter_callback_phone"))

_alert = sa.table(
    "alert",
    sa.column("id", sa.Uuid()),
    sa.column("reporter_unit", sa.String()),
    sa.column("reporter_callback_phone", sa.String()),
    sa.column("reporter_sealed", sa.Text()),
)


def _cipher():  # type: ignore[no-untyped-def]
    from app.config import Settings
    from app.privacy.keys import build_cipher

    return build_cipher(context.config.attributes.get("settings") or Settings())


def _context(alert_id: uuid.UUID) -> str:
    return f"alert:{alert_id}:reporter"


def upgrade() -> None:
    op.add_column("alert", sa.Column("reporter_sealed", sa.Text(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_alert.c.id, _alert.c.reporter_unit, _alert.c.reporter_callback_phone).where(
            sa.or_(
                _alert.c.reporter_unit.is_not(None), _alert.c.reporter_callback_phone.is_not(None)
            )
        )
    ).all()
    cipher = _cipher() if rows else None
    for row in rows:
        values = {path: getattr(row, column) for path, column in _FIELDS}
        plain = {path: value for path, value in values.items() if value is not None}
        token = cipher.seal(
            json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
            context=_context(row.id),
        )
        bind.execute(
            sa.update(_alert).where(_alert.c.id == row.id).values(reporter_sealed=token)
        )
    op.execute("ALTER TABLE alert DROP COLUMN reporter_unit")
    op.execute("ALTER TABLE alert DROP COLUMN reporter_callback_phone")


def downgrade() -> None:
    op.add_column(
        "alert",
        sa.Column("reporter_unit", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    )
    op.add_column(
        "alert",
        sa.Column(
            "reporter_callback_phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True
        ),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_alert.c.id, _alert.c.reporter_sealed).where(
            _alert.c.reporter_sealed.is_not(None)
        )
    ).all()
    cipher = _cipher() if rows else None
    for row in rows:
        opened = json.loads(cipher.open(row.reporter_sealed, context=_context(row.id)))
        bind.execute(
            sa.update(_alert)
            .where(_alert.c.id == row.id)
            .values({column: opened.get(path) for path, column in _FIELDS})
        )
    op.execute("ALTER TABLE alert DROP COLUMN reporter_sealed")
