"""follow-up templates, cases and steps

Revision ID: 0014
Revises: 0013

* `followup_template`: a municipality's own template of a kind (survivor, fatal), as
  validated JSON; without a row the default shipped with the service applies.
* `followup_case`: one per alert, opened when it is taken; keeps only booleans about the
  person (`conditions`), and whether repeated overdoses made it a serious crisis (with the
  count).
* `followup_step`: the case's copy of its template's steps, with owner, companion, state,
  outcome and note, and the timer the follow-up engine claims (`next_due_at`).
* `followup_event`: each case's history, in insertion order (`seq`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.dbtypes
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _string(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _instant() -> app.dbtypes.UTCDateTime:
    return app.dbtypes.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "followup_template",
        sa.Column("municipality_code", _string(4), nullable=False),
        sa.Column("kind", _string(20), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_followup_template_municipality_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_code", "kind", name=op.f("pk_followup_template")),
    )

    op.create_table(
        "followup_case",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", _string(4), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("kind", _string(20), nullable=False),
        sa.Column("state", _string(20), nullable=False),
        sa.Column("template_name", _string(120), nullable=False),
        sa.Column("template_source", _string(20), nullable=False),
        sa.Column("owner_member_id", sa.Uuid(), nullable=True),
        sa.Column("alert_at", _instant(), nullable=False),
        sa.Column("opened_at", _instant(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("serious_crisis", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("repeated_overdoses", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("closed_at", _instant(), nullable=True),
        sa.Column("closed_by", _string(210), nullable=True),
        sa.Column("close_reason", _string(500), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_followup_case_alert_id_alert")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_followup_case_municipality_code_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_member_id"], ["member.id"], name=op.f("fk_followup_case_owner_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_followup_case_team_id_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup_case")),
        sa.UniqueConstraint("alert_id", name=op.f("uq_followup_case_alert_id")),
    )
    op.create_index(
        op.f("ix_followup_case_municipality_code"), "followup_case", ["municipality_code"]
    )
    op.create_index(op.f("ix_followup_case_state"), "followup_case", ["state"])

    op.create_table(
        "followup_event",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("at", _instant(), nullable=False),
        sa.Column("kind", _string(30), nullable=False),
        sa.Column("step_key", _string(40), nullable=True),
        sa.Column("by", _string(210), nullable=True),
        sa.Column("outcome", _string(500), nullable=True),
        sa.Column("note", _string(500), nullable=True),
        sa.Column("deadline", _instant(), nullable=True),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["followup_case.id"], name=op.f("fk_followup_event_case_id_followup_case")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_followup_event")),
    )
    op.create_index("ix_followup_event_case", "followup_event", ["case_id", "seq"])

    op.create_table(
        "followup_step",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", _string(40), nullable=False),
        sa.Column("title", _string(120), nullable=False),
        sa.Column("guidance", _string(500), nullable=True),
        sa.Column("kind", _string(20), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("condition", _string(40), nullable=True),
        sa.Column("owner_role", _string(10), nullable=False),
        sa.Column("owner_member_id", sa.Uuid(), nullable=True),
        sa.Column("companion_role", _string(10), nullable=True),
        sa.Column("companion_member_id", sa.Uuid(), nullable=True),
        sa.Column("not_reached_resolves", sa.Boolean(), nullable=False),
        sa.Column("retry_hours", sa.Float(), nullable=False),
        sa.Column("remind_before_hours", sa.Float(), nullable=False),
        sa.Column("state", _string(20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("deadline", _instant(), nullable=False),
        sa.Column("remind_at", _instant(), nullable=True),
        sa.Column("reminded_at", _instant(), nullable=True),
        sa.Column("overdue_told_at", _instant(), nullable=True),
        sa.Column("next_due_at", _instant(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("outcome", _string(200), nullable=True),
        sa.Column("note", _string(500), nullable=True),
        sa.Column("recorded_by", _string(210), nullable=True),
        sa.Column("recorded_by_member_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", _instant(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["followup_case.id"], name=op.f("fk_followup_step_case_id_followup_case")
        ),
        sa.ForeignKeyConstraint(
            ["companion_member_id"],
            ["member.id"],
            name=op.f("fk_followup_step_companion_member_id_member"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_member_id"], ["member.id"], name=op.f("fk_followup_step_owner_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup_step")),
        sa.UniqueConstraint("case_id", "key", name=op.f("uq_followup_step_case_id_key")),
    )
    op.create_index(op.f("ix_followup_step_case_id"), "followup_step", ["case_id"])
    op.create_index("ix_followup_step_due", "followup_step", ["next_due_at"])


def downgrade() -> None:
    op.drop_index("ix_followup_step_due", table_name="followup_step")
    op.drop_index(op.f("ix_followup_step_case_id"), table_name="followup_step")
    op.drop_table("followup_step")
    op.drop_index("ix_followup_event_case", table_name="followup_event")
    op.drop_table("followup_event")
    op.drop_index(op.f("ix_followup_case_state"), table_name="followup_case")
    op.drop_index(op.f("ix_followup_case_municipality_code"), table_name="followup_case")
    op.drop_table("followup_case")
    op.drop_table("followup_template")
