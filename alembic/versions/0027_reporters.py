"""reporters: the crews who send alerts with the form

Revision ID: 0027
Revises: 0026

Issue 21 item 1: the form for crews (`/skjema`). `reporter` (ambulance, AMK, legevakt and
Feltpleien staff with their own sign-in), `reporter_municipality` (the municipalities each
may report for), `reporter_signin_link` and `reporter_session` (tokens as SHA-256, as the
staff's), and `reporter_alert` (which reporter sent which alert: only they see its page).
The downgrade drops them; alerts sent with the form stay, under the form's API client.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.dbtypes
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_String = sqlmodel.sql.sqltypes.AutoString
_Time = app.dbtypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "reporter",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", _String(length=200), nullable=False),
        sa.Column("mobile", _String(length=16), nullable=True),
        sa.Column("email", _String(length=254), nullable=True),
        sa.Column("reporter_type", _String(length=30), nullable=False),
        sa.Column("unit", _String(length=200), nullable=True),
        sa.Column("callback_phone", _String(length=16), nullable=True),
        sa.Column("language", _String(length=5), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _Time(timezone=True), nullable=False),
        sa.Column("updated_at", _Time(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporter")),
        sa.UniqueConstraint("mobile", name=op.f("uq_reporter_mobile")),
    )
    op.create_index(op.f("ix_reporter_email"), "reporter", ["email"], unique=False)
    op.create_table(
        "reporter_municipality",
        sa.Column("reporter_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", _String(length=4), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_reporter_municipality_municipality_code_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["reporter.id"],
            name=op.f("fk_reporter_municipality_reporter_id_reporter"),
        ),
        sa.PrimaryKeyConstraint(
            "reporter_id", "municipality_code", name=op.f("pk_reporter_municipality")
        ),
    )
    op.create_table(
        "reporter_signin_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", _String(length=64), nullable=False),
        sa.Column("reporter_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _Time(timezone=True), nullable=False),
        sa.Column("expires_at", _Time(timezone=True), nullable=False),
        sa.Column("used_at", _Time(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["reporter.id"],
            name=op.f("fk_reporter_signin_link_reporter_id_reporter"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporter_signin_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_reporter_signin_link_token_hash")),
    )
    op.create_index(
        op.f("ix_reporter_signin_link_reporter_id"),
        "reporter_signin_link",
        ["reporter_id"],
        unique=False,
    )
    op.create_table(
        "reporter_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", _String(length=64), nullable=False),
        sa.Column("reporter_id", sa.Uuid(), nullable=False),
        sa.Column("via", _String(length=10), nullable=False),
        sa.Column("created_at", _Time(timezone=True), nullable=False),
        sa.Column("expires_at", _Time(timezone=True), nullable=False),
        sa.Column("signed_out_at", _Time(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["reporter.id"],
            name=op.f("fk_reporter_session_reporter_id_reporter"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporter_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_reporter_session_token_hash")),
    )
    op.create_index(
        op.f("ix_reporter_session_reporter_id"), "reporter_session", ["reporter_id"], unique=False
    )
    op.create_table(
        "reporter_alert",
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("reporter_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _Time(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_reporter_alert_alert_id_alert")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["reporter.id"],
            name=op.f("fk_reporter_alert_reporter_id_reporter"),
        ),
        sa.PrimaryKeyConstraint("alert_id", name=op.f("pk_reporter_alert")),
    )
    op.create_index(
        op.f("ix_reporter_alert_reporter_id"), "reporter_alert", ["reporter_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_reporter_alert_reporter_id"), table_name="reporter_alert")
    op.drop_table("reporter_alert")
    op.drop_index(op.f("ix_reporter_session_reporter_id"), table_name="reporter_session")
    op.drop_table("reporter_session")
    op.drop_index(op.f("ix_reporter_signin_link_reporter_id"), table_name="reporter_signin_link")
    op.drop_table("reporter_signin_link")
    op.drop_table("reporter_municipality")
    op.drop_index(op.f("ix_reporter_email"), table_name="reporter")
    op.drop_table("reporter")
