"""sealed webhook payloads

Revision ID: 0026
Revises: 0025

Issue 20 (docs/rules.md, "Dispatch incident id"): `webhook_delivery.payload` held the body to
be posted in plain JSON, and with it the dispatch incident id of the alert. It becomes
`payload_sealed`: the canonical bytes posted (JSON with sorted keys and no spaces, as
app.webhooks.signing.body_of writes them), sealed with AES-256-GCM under the context
`webhook_delivery:<id>:payload`, as app.webhooks.service.seal_payload seals them. Existing
rows are sealed here with the configured keys (CRYPTO__KEYS / CRYPTO__ACTIVE_KEY_ID: run the
migration with the service's settings, as 0020 and 0022), so a delivery still waiting posts
the same bytes as before.

The downgrade opens the tokens into the plain JSON column again.

On SQLite the column's NOT NULL changes with a batch rebuild of the table; no table references
`webhook_delivery`, so foreign-key enforcement may stay on.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from alembic import context, op

if TYPE_CHECKING:
    from app.privacy.crypto import FieldCipher

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DELIVERY = sa.table(
    "webhook_delivery",
    sa.column("id", sa.Uuid()),
    sa.column("payload", sa.JSON()),
    sa.column("payload_sealed", sa.Text()),
)


def _cipher() -> FieldCipher:
    from app.config import Settings
    from app.privacy.keys import build_cipher

    return build_cipher(context.config.attributes.get("settings") or Settings())


def _context(delivery_id: uuid.UUID) -> str:
    return f"webhook_delivery:{delivery_id}:payload"


def _body(payload: dict[str, Any]) -> str:
    """The bytes posted, as app.webhooks.signing.body_of writes them (copied: a migration
    keeps what it did when the code changes)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _convert(*, seal: bool) -> None:
    """Seal each payload into `payload_sealed` (or, `seal` False, open each token into
    `payload`), row by row in the migration's transaction."""
    source = _DELIVERY.c.payload if seal else _DELIVERY.c.payload_sealed
    bind = op.get_bind()
    rows = bind.execute(sa.select(_DELIVERY.c.id, source)).all()
    if not rows:
        return  # no keys needed for an empty table
    cipher = _cipher()
    for delivery_id, value in rows:
        changed: dict[str, Any]
        if seal:
            changed = {"payload_sealed": cipher.seal(_body(value), context=_context(delivery_id))}
        else:
            changed = {"payload": json.loads(cipher.open(value, context=_context(delivery_id)))}
        bind.execute(sa.update(_DELIVERY).where(_DELIVERY.c.id == delivery_id).values(changed))


def upgrade() -> None:
    op.add_column("webhook_delivery", sa.Column("payload_sealed", sa.Text(), nullable=True))
    _convert(seal=True)
    with op.batch_alter_table("webhook_delivery") as batch_op:
        batch_op.drop_column("payload")
        batch_op.alter_column("payload_sealed", existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    op.add_column("webhook_delivery", sa.Column("payload", sa.JSON(), nullable=True))
    _convert(seal=False)
    with op.batch_alter_table("webhook_delivery") as batch_op:
        batch_op.drop_column("payload_sealed")
        batch_op.alter_column("payload", existing_type=sa.JSON(), nullable=False)
