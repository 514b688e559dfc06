"""teams, members, rosters, escalation policies

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.dbtypes

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "team",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("receives_alerts", sa.Boolean(), nullable=False),
        sa.Column("leader_member_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_team_municipality_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint(
            "municipality_code", "name", name=op.f("uq_team_municipality_code_name")
        ),
    )
    op.create_index(op.f("ix_team_municipality_code"), "team", ["municipality_code"])
    # At most one team per municipality receives its alerts.
    op.create_index(
        "uq_team_alert_receiver",
        "team",
        ["municipality_code"],
        unique=True,
        sqlite_where=sa.text("receives_alerts"),
        postgresql_where=sa.text("receives_alerts"),
    )

    op.create_table(
        "member",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("mobile", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("is_health_personnel", sa.Boolean(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_member_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
    )
    op.create_index(op.f("ix_member_team_id"), "member", ["team_id"])

    op.create_table(
        "rotation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("member_ids", sa.JSON(), nullable=False),
        sa.Column("anchor", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("shift_days", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.Time(), nullable=True),
        sa.Column("window_end", sa.Time(), nullable=True),
        sa.Column("created_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("shift_days >= 1", name=op.f("ck_rotation_shift_days_positive")),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_rotation_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rotation")),
    )
    op.create_index(op.f("ix_rotation_team_id"), "rotation", ["team_id"])

    op.create_table(
        "shift",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_shift_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_shift_member_id_member")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_shift_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift")),
    )
    op.create_index(op.f("ix_shift_team_id"), "shift", ["team_id"])

    op.create_table(
        "roster_override",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("replaces_member_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("created_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_roster_override_ends_after_start")
        ),
        sa.CheckConstraint(
            "member_id IS NOT NULL OR replaces_member_id IS NOT NULL",
            name=op.f("ck_roster_override_names_a_member"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_roster_override_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["replaces_member_id"],
            ["member.id"],
            name=op.f("fk_roster_override_replaces_member_id_member"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_roster_override_team_id_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_override")),
    )
    op.create_index(op.f("ix_roster_override_team_id"), "roster_override", ["team_id"])

    op.create_table(
        "escalation_policy",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("repeat", sa.Integer(), nullable=False),
        sa.Column("fallback_number", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("updated_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            '"repeat" >= 0', name=op.f("ck_escalation_policy_repeat_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_escalation_policy_team_id_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_policy")),
        sa.UniqueConstraint("team_id", name=op.f("uq_escalation_policy_team_id")),
    )

    op.create_table(
        "escalation_step",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("delay_minutes", sa.Integer(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.CheckConstraint("delay_minutes >= 1", name=op.f("ck_escalation_step_delay_positive")),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["escalation_policy.id"],
            name=op.f("fk_escalation_step_policy_id_escalation_policy"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_step")),
        sa.UniqueConstraint(
            "policy_id", "position", name=op.f("uq_escalation_step_policy_id_position")
        ),
    )


def downgrade() -> None:
    op.drop_table("escalation_step")
    op.drop_table("escalation_policy")
    op.drop_index(op.f("ix_roster_override_team_id"), table_name="roster_override")
    op.drop_table("roster_override")
    op.drop_index(op.f("ix_shift_team_id"), table_name="shift")
    op.drop_table("shift")
    op.drop_index(op.f("ix_rotation_team_id"), table_name="rotation")
    op.drop_table("rotation")
    op.drop_index(op.f("ix_member_team_id"), table_name="member")
    op.drop_table("member")
    op.drop_index("uq_team_alert_receiver", table_name="team")
    op.drop_index(op.f("ix_team_municipality_code"), table_name="team")
    op.drop_table("team")
