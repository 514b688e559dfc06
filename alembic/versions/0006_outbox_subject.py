"""outbox messages name their subject; escalation keeps occurred_at and a link token;
worker heartbeats

Revision ID: 0006
Revises: 0005

The outbox's alert_id, pass_index and step_index become subject_kind "alert", subject_id and
a context {"pass": p, "step": s}; existing rows are carried over. Escalations get the alert's
occurred_at (copied from alert) and a random link token each (the links already sent were
derived from the alert id and are not kept: no page answered them yet).
"""

import secrets
import string
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.dbtypes

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ALPHABET = string.ascii_letters + string.digits


def _token() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def upgrade() -> None:
    op.create_table(
        "worker_heartbeat",
        sa.Column("worker_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("round_completed_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_worker_heartbeat")),
    )

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("subject_kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
        batch_op.add_column(sa.Column("subject_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("context", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )
    outbox = sa.table(
        "outbox_message",
        sa.column("id", sa.Uuid()),
        sa.column("alert_id", sa.Uuid()),
        sa.column("pass_index", sa.Integer()),
        sa.column("step_index", sa.Integer()),
        sa.column("subject_kind", sa.String()),
        sa.column("subject_id", sa.Uuid()),
        sa.column("context", sa.JSON()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox.c.id, outbox.c.alert_id, outbox.c.pass_index, outbox.c.step_index)
    ).all()
    for row in rows:
        has_step = row.pass_index is not None and row.step_index is not None
        connection.execute(
            outbox.update()
            .where(outbox.c.id == row.id)
            .values(
                # Every message so far was about an alert; one without names itself.
                subject_kind="alert" if row.alert_id is not None else "none",
                subject_id=row.alert_id if row.alert_id is not None else row.id,
                context={"pass": row.pass_index, "step": row.step_index} if has_step else {},
            )
        )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column(
            "subject_kind", existing_type=sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False
        )
        batch_op.alter_column("subject_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_index(batch_op.f("ix_outbox_message_alert_id"))
        batch_op.drop_constraint(batch_op.f("fk_outbox_message_alert_id_alert"), type_="foreignkey")
        batch_op.drop_column("alert_id")
        batch_op.drop_column("pass_index")
        batch_op.drop_column("step_index")
        batch_op.create_index(
            "ix_outbox_message_subject", ["subject_kind", "subject_id"], unique=False
        )

    with op.batch_alter_table("escalation_state", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("occurred_at", app.dbtypes.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("link_token", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
    state = sa.table(
        "escalation_state",
        sa.column("id", sa.Uuid()),
        sa.column("alert_id", sa.Uuid()),
        sa.column("occurred_at", app.dbtypes.UTCDateTime(timezone=True)),
        sa.column("link_token", sa.String()),
    )
    alert = sa.table(
        "alert",
        sa.column("id", sa.Uuid()),
        sa.column("occurred_at", app.dbtypes.UTCDateTime(timezone=True)),
    )
    connection.execute(
        state.update().values(
            occurred_at=sa.select(alert.c.occurred_at)
            .where(alert.c.id == state.c.alert_id)
            .scalar_subquery()
        )
    )
    for (state_id,) in connection.execute(sa.select(state.c.id)).all():
        connection.execute(
            state.update().where(state.c.id == state_id).values(link_token=_token())
        )
    with op.batch_alter_table("escalation_state", schema=None) as batch_op:
        batch_op.alter_column(
            "occurred_at", existing_type=app.dbtypes.UTCDateTime(timezone=True), nullable=False
        )
        batch_op.alter_column(
            "link_token", existing_type=sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_escalation_state_link_token"), ["link_token"]
        )


def downgrade() -> None:
    with op.batch_alter_table("escalation_state", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_escalation_state_link_token"), type_="unique")
        batch_op.drop_column("link_token")
        batch_op.drop_column("occurred_at")

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alert_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("pass_index", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("step_index", sa.Integer(), nullable=True))
    outbox = sa.table(
        "outbox_message",
        sa.column("id", sa.Uuid()),
        sa.column("alert_id", sa.Uuid()),
        sa.column("pass_index", sa.Integer()),
        sa.column("step_index", sa.Integer()),
        sa.column("subject_kind", sa.String()),
        sa.column("subject_id", sa.Uuid()),
        sa.column("context", sa.JSON()),
    )
    connection = op.get_bind()
    for row in connection.execute(
        sa.select(outbox.c.id, outbox.c.subject_kind, outbox.c.subject_id, outbox.c.context)
    ).all():
        context = row.context or {}
        connection.execute(
            outbox.update()
            .where(outbox.c.id == row.id)
            .values(
                alert_id=row.subject_id if row.subject_kind == "alert" else None,
                pass_index=context.get("pass"),
                step_index=context.get("step"),
            )
        )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_subject")
        batch_op.drop_column("context")
        batch_op.drop_column("subject_id")
        batch_op.drop_column("subject_kind")
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_alert_id_alert"), "alert", ["alert_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_outbox_message_alert_id"), ["alert_id"], unique=False)

    op.drop_table("worker_heartbeat")
