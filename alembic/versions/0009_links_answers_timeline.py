"""recipient links, answers to the crew, alert timeline, SMS opt-out

Revision ID: 0009
Revises: 0008

* `recipient_link`: one random token per staff member and alert, stored as its SHA-256; the
  escalation's single plain `link_token` goes (links sent before it answered 404 anyway).
* `alert_event`: the alert's timeline (received, paged, acknowledged, answered, ...).
* `answer_options` per municipality and `alert_answer`.
* `team.tell_others_when_taken` (default true) and `member.sms_opted_out_at` (STOP).

Columns of `team` and `member` are added with plain ALTER TABLE, not batch mode: on SQLite a
batch rebuild would drop tables that others reference.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.dbtypes
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recipient_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", app.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_recipient_link_alert_id_alert")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_recipient_link_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_recipient_link_token_hash")),
    )
    op.create_index(op.f("ix_recipient_link_alert_id"), "recipient_link", ["alert_id"])
    op.create_index(op.f("ix_recipient_link_member_id"), "recipient_link", ["member_id"])

    op.create_table(
        "alert_event",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("data", sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_alert_event_alert_id_alert")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_alert_event")),
    )
    op.create_index("ix_alert_event_alert", "alert_event", ["alert_id", "seq"])

    op.create_table(
        "answer_options",
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("coming_minutes", sa.JSON(), nullable=False),
        sa.Column("places", sa.JSON(), nullable=False),
        sa.Column("follow_up_when", sa.JSON(), nullable=False),
        sa.Column("updated_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_answer_options_municipality_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_code", name=op.f("pk_answer_options")),
    )
    op.create_table(
        "alert_answer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("follow_up", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("free_text", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_alert_answer_alert_id_alert")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_alert_answer_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_answer")),
    )
    op.create_index(op.f("ix_alert_answer_alert_id"), "alert_answer", ["alert_id"])

    op.add_column(
        "team",
        sa.Column(
            "tell_others_when_taken", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
    )
    op.add_column(
        "member",
        sa.Column("sms_opted_out_at", app.dbtypes.UTCDateTime(timezone=True), nullable=True),
    )
    with op.batch_alter_table("escalation_state", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_escalation_state_link_token"), type_="unique")
        batch_op.drop_column("link_token")


def _token() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(12))


def downgrade() -> None:
    with op.batch_alter_table("escalation_state", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("link_token", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
    state = sa.table("escalation_state", sa.column("id", sa.Uuid()), sa.column("link_token"))
    connection = op.get_bind()
    for (state_id,) in connection.execute(sa.select(state.c.id)).all():
        connection.execute(state.update().where(state.c.id == state_id).values(link_token=_token()))
    with op.batch_alter_table("escalation_state", schema=None) as batch_op:
        batch_op.alter_column(
            "link_token", existing_type=sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_escalation_state_link_token"), ["link_token"]
        )
    op.drop_column("member", "sms_opted_out_at")
    op.drop_column("team", "tell_others_when_taken")
    op.drop_index(op.f("ix_alert_answer_alert_id"), table_name="alert_answer")
    op.drop_table("alert_answer")
    op.drop_table("answer_options")
    op.drop_index("ix_alert_event_alert", table_name="alert_event")
    op.drop_table("alert_event")
    op.drop_index(op.f("ix_recipient_link_member_id"), table_name="recipient_link")
    op.drop_index(op.f("ix_recipient_link_alert_id"), table_name="recipient_link")
    op.drop_table("recipient_link")
