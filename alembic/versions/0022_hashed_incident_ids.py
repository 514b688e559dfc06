"""dispatch incident ids kept as a keyed hash, and sealed; objected alerts keep only the hash;
the anonymous fatal case

Revision ID: 0022
Revises: 0021

`followup_case.anonymous`: the case of an objected fatal alert (docs/rules.md, "Objected fatal
alerts: the anonymous case"). False for the cases stored before (objected alerts had none).

Issue 20 (docs/rules.md, "Dispatch incident id"): `alert.dispatch_incident_id` was plain text.
It becomes `dispatch_incident_hash` (keyed HMAC-SHA256, as app.privacy.crypto.KeyedHasher
.dispatch_incident computes it; unique per client, so a retry still finds its alert) and
`dispatch_incident_sealed` (AES-256-GCM, context `alert:<id>:dispatch_incident`, as
app.alerts.sealing seals it), which an objected alert does not keep. Existing rows are hashed
and sealed here with the configured keys (CRYPTO__HASH_KEY, CRYPTO__KEYS /
CRYPTO__ACTIVE_KEY_ID: run the migration with the service's settings, as 0020).

The downgrade opens the sealed ids into the plain column again; an objected alert, whose id
is gone, gets its hash in its place (unique per client, as the column must be).

On SQLite the unique constraint changes with a batch rebuild of the table (SQLite cannot drop
a column that a constraint names); other tables reference `alert`, so foreign-key enforcement
is off for the rebuild, checked and switched on again, as in 0018.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlmodel

from alembic import context, op

if TYPE_CHECKING:
    from app.privacy.crypto import FieldCipher, KeyedHasher

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_UNIQUE = "uq_alert_client_id_dispatch_incident_id"
NEW_UNIQUE = "uq_alert_client_id_dispatch_incident_hash"

_ALERT = sa.table(
    "alert",
    sa.column("id", sa.Uuid()),
    sa.column("consent_state", sa.String()),
    sa.column("dispatch_incident_id", sa.String()),
    sa.column("dispatch_incident_hash", sa.String()),
    sa.column("dispatch_incident_sealed", sa.Text()),
)


def _keys() -> tuple[FieldCipher, KeyedHasher]:
    from app.config import Settings
    from app.privacy.keys import build_cipher, build_hasher

    settings = context.config.attributes.get("settings") or Settings()
    return build_cipher(settings), build_hasher(settings)


def _context(alert_id: uuid.UUID) -> str:
    return f"alert:{alert_id}:dispatch_incident"


def _hash_and_seal() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_ALERT.c.id, _ALERT.c.consent_state, _ALERT.c.dispatch_incident_id)
    ).all()
    if not rows:
        return  # no keys needed for an empty table
    cipher, hasher = _keys()
    for alert_id, consent_state, incident_id in rows:
        sealed = (
            None
            if consent_state == "objected"
            else cipher.seal(incident_id, context=_context(alert_id))
        )
        bind.execute(
            sa.update(_ALERT)
            .where(_ALERT.c.id == alert_id)
            .values(
                dispatch_incident_hash=hasher.dispatch_incident(incident_id),
                dispatch_incident_sealed=sealed,
            )
        )


def _open() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_ALERT.c.id, _ALERT.c.dispatch_incident_hash, _ALERT.c.dispatch_incident_sealed)
    ).all()
    if not rows:
        return
    cipher, _ = _keys()
    for alert_id, incident_hash, sealed in rows:
        plain = incident_hash if sealed is None else cipher.open(sealed, context=_context(alert_id))
        bind.execute(
            sa.update(_ALERT).where(_ALERT.c.id == alert_id).values(dispatch_incident_id=plain)
        )


def _foreign_keys(enabled: bool) -> None:
    """Switch SQLite's enforcement: only outside a transaction (as 0018)."""
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
    op.add_column(
        "followup_case",
        sa.Column("anonymous", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    with op.batch_alter_table("alert") as batch_op:
        batch_op.add_column(
            sa.Column(
                "dispatch_incident_hash",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("dispatch_incident_sealed", sa.Text(), nullable=True))
    _hash_and_seal()
    _foreign_keys(False)
    with op.batch_alter_table("alert") as batch_op:
        batch_op.drop_constraint(OLD_UNIQUE, type_="unique")
        batch_op.drop_column("dispatch_incident_id")
        batch_op.alter_column(
            "dispatch_incident_hash",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
            nullable=False,
        )
        batch_op.create_unique_constraint(NEW_UNIQUE, ["client_id", "dispatch_incident_hash"])
    _check_foreign_keys()
    _foreign_keys(True)


def downgrade() -> None:
    op.execute("ALTER TABLE followup_case DROP COLUMN anonymous")
    with op.batch_alter_table("alert") as batch_op:
        batch_op.add_column(
            sa.Column(
                "dispatch_incident_id",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                nullable=True,
            )
        )
    _open()
    _foreign_keys(False)
    with op.batch_alter_table("alert") as batch_op:
        batch_op.drop_constraint(NEW_UNIQUE, type_="unique")
        batch_op.drop_column("dispatch_incident_sealed")
        batch_op.drop_column("dispatch_incident_hash")
        batch_op.alter_column(
            "dispatch_incident_id",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=100),
            nullable=False,
        )
        batch_op.create_unique_constraint(OLD_UNIQUE, ["client_id", "dispatch_incident_id"])
    _check_foreign_keys()
    _foreign_keys(True)
