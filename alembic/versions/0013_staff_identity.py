"""staff sign-in links, OIDC, sessions

Revision ID: 0013
Revises: 0012

* `staff_session`: a signed-in staff member (`app/auth/staff`): the SHA-256 of the session
  token (the cookie of the staff pages or the bearer token of the staff API), the member, how
  they signed in (`sms_link` or `oidc`), when it expires and when it was signed out.
* `staff_signin_link`: a one-time sign-in link sent by SMS: the SHA-256 of its token, the
  mobile it was sent to, when it expires, when it was used and the session it started.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.dbtypes
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("signed_out_at", app.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_staff_session_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_session_token_hash")),
    )
    op.create_index(op.f("ix_staff_session_member_id"), "staff_session", ["member_id"])

    op.create_table(
        "staff_signin_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("mobile", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", app.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["staff_session.id"],
            name=op.f("fk_staff_signin_link_session_id_staff_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_signin_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_signin_link_token_hash")),
    )
    op.create_index(op.f("ix_staff_signin_link_mobile"), "staff_signin_link", ["mobile"])


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_signin_link_mobile"), table_name="staff_signin_link")
    op.drop_table("staff_signin_link")
    op.drop_index(op.f("ix_staff_session_member_id"), table_name="staff_session")
    op.drop_table("staff_session")
