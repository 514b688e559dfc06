"""retention: alerts purged, open cases flagged, the log of purges, the municipalities' periods

Revision ID: 0031
Revises: 0030

Issue 22 item 1 (app/retention): `alert.purged_at` (when its identifying data was purged;
indexed, the engine looks for NULL), `followup_case.retention_flagged_at` (an open case that
reached the age: its leader was told, once), `retention_run` (when, what, where and how many
retention purged; nothing about a person) and `retention_settings` (a municipality's own case
period, the settings document `retention`).

The access log stays append-only but for retention's two changes (docs/rules.md, "Retention"):
an entry's missing `national_id_hash` may be filled in (nothing else may change), and an entry
may be deleted only when it is older than the cutoff of a `retention_gate` row, which the
engine writes and removes inside its deleting transaction. Its triggers (migration 0002) are
replaced to say so; the downgrade restores them. Columns added are nullable, so no table is rebuilt;
the downgrade drops them (SQLite 3.35 and later drop a column in place).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.dbtypes
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_REFUSAL = "access_log_entry is append-only"
_OTHER_COLUMNS = (
    "id",
    "at",
    "actor_kind",
    "actor_id",
    "municipality_code",
    "alert_id",
    "categories",
    "legal_basis",
    "reason",
    "channel",
)
_HASH_FILLED_IN = "OLD.national_id_hash IS NULL AND NEW.national_id_hash IS NOT NULL AND " + (
    " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _OTHER_COLUMNS)
)
_GATED = (
    "EXISTS (SELECT 1 FROM retention_gate g WHERE OLD.at <= g.access_log_before)"
)


def _sqlite_triggers(*, retention: bool) -> tuple[str, ...]:
    update = f" WHEN NOT ({_HASH_FILLED_IN})" if retention else ""
    delete = f" WHEN NOT {_GATED}" if retention else ""
    return (
        "DROP TRIGGER access_log_entry_no_update",
        "DROP TRIGGER access_log_entry_no_delete",
        f"""CREATE TRIGGER access_log_entry_no_update BEFORE UPDATE ON access_log_entry{update}
        BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END""",
        f"""CREATE TRIGGER access_log_entry_no_delete BEFORE DELETE ON access_log_entry{delete}
        BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END""",
    )


def _postgresql_function(*, retention: bool) -> str:
    allowed = f"""
        IF TG_OP = 'UPDATE' AND OLD.national_id_hash IS NULL
            AND NEW.national_id_hash IS NOT NULL
            AND (to_jsonb(NEW) - 'national_id_hash') = (to_jsonb(OLD) - 'national_id_hash') THEN
            RETURN NEW;
        END IF;
        IF TG_OP = 'DELETE' AND {_GATED} THEN
            RETURN OLD;
        END IF;"""
    return f"""CREATE OR REPLACE FUNCTION access_log_entry_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN{allowed if retention else ""}
        RAISE EXCEPTION '{_REFUSAL}' USING ERRCODE = 'insufficient_privilege';
    END $$"""


def _access_log_triggers(*, retention: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_postgresql_function(retention=retention))
    else:
        for statement in _sqlite_triggers(retention=retention):
            op.execute(statement)


def upgrade() -> None:
    op.add_column("alert", sa.Column("purged_at", app.dbtypes.UTCDateTime(timezone=True)))
    op.create_index(op.f("ix_alert_purged_at"), "alert", ["purged_at"], unique=False)
    op.add_column(
        "followup_case",
        sa.Column("retention_flagged_at", app.dbtypes.UTCDateTime(timezone=True)),
    )
    op.create_table(
        "retention_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=4)),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_run")),
    )
    op.create_index(
        "ix_retention_run_category",
        "retention_run",
        ["category", "municipality_code"],
        unique=False,
    )
    op.create_table(
        "retention_settings",
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("case_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "case_days BETWEEN 1 AND 3650", name=op.f("ck_retention_settings_case_days_range")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_retention_settings_municipality_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_code", name=op.f("pk_retention_settings")),
    )
    op.create_table(
        "retention_gate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("access_log_before", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_gate")),
    )
    _access_log_triggers(retention=True)


def downgrade() -> None:
    _access_log_triggers(retention=False)
    op.drop_table("retention_gate")
    op.drop_table("retention_settings")
    op.drop_index("ix_retention_run_category", table_name="retention_run")
    op.drop_table("retention_run")
    op.drop_column("followup_case", "retention_flagged_at")
    op.drop_index(op.f("ix_alert_purged_at"), table_name="alert")
    op.drop_column("alert", "purged_at")
