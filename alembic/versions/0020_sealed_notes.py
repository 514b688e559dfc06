"""sealed step notes

Revision ID: 0020
Revises: 0019

`followup_step.note` and `followup_event.note` were plain text: staff's free text about one
step of a known person's follow-up. They become sealed tokens, `note_sealed` (AES-256-GCM,
context `followup_case:<case id>:note`, as app.followup.notes seals them). Existing notes are
sealed here with the configured keys (CRYPTO__KEYS / CRYPTO__ACTIVE_KEY_ID: run the migration
with the service's settings), then the plain columns are dropped. The downgrade opens the
tokens and restores the plain columns, as 0007's does.

The columns are added and dropped with plain ALTER TABLE, as in 0007 (SQLite drops a column
in place since 3.35), so neither table is rebuilt.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlmodel

from alembic import context, op

if TYPE_CHECKING:
    from app.privacy.crypto import FieldCipher

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = {"followup_step": "id", "followup_event": "seq"}
"""Each table with notes, and its primary key."""


def _table(name: str, key: str) -> sa.TableClause:
    return sa.table(
        name,
        sa.column(key, sa.Uuid() if key == "id" else sa.Integer()),
        sa.column("case_id", sa.Uuid()),
        sa.column("note", sa.String()),
        sa.column("note_sealed", sa.Text()),
    )


def _cipher() -> FieldCipher:
    from app.config import Settings
    from app.privacy.keys import build_cipher

    return build_cipher(context.config.attributes.get("settings") or Settings())


def _context(case_id: uuid.UUID) -> str:
    return f"followup_case:{case_id}:note"


def _convert(name: str, key: str, *, seal: bool) -> None:
    """Seal each plain note into `note_sealed` (or, `seal` False, open each token into
    `note`), row by row in the migration's transaction."""
    table = _table(name, key)
    source, target = (table.c.note, "note_sealed") if seal else (table.c.note_sealed, "note")
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(table.c[key], table.c.case_id, source).where(source.is_not(None))
    ).all()
    if not rows:
        return  # no keys needed for an empty table
    cipher = _cipher()
    for row_key, case_id, value in rows:
        if seal:
            changed = cipher.seal(value, context=_context(case_id))
        else:
            changed = cipher.open(value, context=_context(case_id))
        bind.execute(sa.update(table).where(table.c[key] == row_key).values({target: changed}))


def upgrade() -> None:
    for name, key in TABLES.items():
        op.add_column(name, sa.Column("note_sealed", sa.Text(), nullable=True))
        _convert(name, key, seal=True)
        op.execute(f"ALTER TABLE {name} DROP COLUMN note")


def downgrade() -> None:
    for name, key in TABLES.items():
        op.add_column(
            name,
            sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        )
        _convert(name, key, seal=False)
        op.execute(f"ALTER TABLE {name} DROP COLUMN note_sealed")
