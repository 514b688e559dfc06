"""concern reports, cluster signals and drug warnings

Revision ID: 0015
Revises: 0014

* `warning_settings`: per municipality, who its approved warnings reach (an SMS contact
  list, neighbouring municipalities) and its cluster rules (null: the default, 3 within 6
  hours in the municipality).
* `concern_report`: a dangerous drug reported by hand (staff, police, injection room, user
  organisations); the description was checked for personal data.
* `cluster_signal`: a cluster of overdoses for the leader (alerts by id only).
* `cluster_check`: when the worker last checked each municipality for clusters.
* `drug_warning`: the leader's warning, a draft until approved; its SMS as sent.
* `incoming_drug_warning`: an approved warning as it arrives in a neighbouring municipality.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.dbtypes
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = app.dbtypes.UTCDateTime(timezone=True)


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _municipality_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["municipality_code"],
        ["municipality.code"],
        name=op.f(f"fk_{table}_municipality_code_municipality"),
    )


def upgrade() -> None:
    op.create_table(
        "warning_settings",
        sa.Column("municipality_code", _text(4), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("neighbours", sa.JSON(), nullable=False),
        sa.Column("cluster_rules", sa.JSON(), nullable=True),
        sa.Column("updated_at", _UTC, nullable=False),
        _municipality_fk("warning_settings"),
        sa.PrimaryKeyConstraint("municipality_code", name=op.f("pk_warning_settings")),
    )

    op.create_table(
        "concern_report",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", _text(4), nullable=False),
        sa.Column("reporter_kind", _text(30), nullable=False),
        sa.Column("description", _text(1000), nullable=False),
        sa.Column("substances", sa.JSON(), nullable=False),
        sa.Column("observed_at", _UTC, nullable=True),
        sa.Column("client_id", _text(64), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_client.id"], name=op.f("fk_concern_report_client_id_api_client")
        ),
        _municipality_fk("concern_report"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern_report")),
    )
    op.create_index(
        op.f("ix_concern_report_municipality_code"), "concern_report", ["municipality_code"]
    )

    op.create_table(
        "cluster_signal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", _text(4), nullable=False),
        sa.Column("rule_key", _text(60), nullable=False),
        sa.Column("area", _text(20), nullable=False),
        sa.Column("min_count", sa.Integer(), nullable=False),
        sa.Column("window_hours", sa.Float(), nullable=False),
        sa.Column("radius_km", sa.Float(), nullable=True),
        sa.Column("centre_latitude", sa.Float(), nullable=True),
        sa.Column("centre_longitude", sa.Float(), nullable=True),
        sa.Column("alert_ids", sa.JSON(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("first_at", _UTC, nullable=False),
        sa.Column("last_at", _UTC, nullable=False),
        sa.Column("status", _text(20), nullable=False),
        sa.Column("raised_at", _UTC, nullable=False),
        sa.Column("updated_at", _UTC, nullable=False),
        sa.Column("dismissed_at", _UTC, nullable=True),
        sa.Column("dismissed_by", _text(210), nullable=True),
        sa.Column("dismiss_note", _text(1000), nullable=True),
        _municipality_fk("cluster_signal"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cluster_signal")),
    )
    op.create_index(
        "ix_cluster_signal_recent", "cluster_signal", ["municipality_code", "last_at"]
    )

    op.create_table(
        "cluster_check",
        sa.Column("municipality_code", _text(4), nullable=False),
        sa.Column("checked_at", _UTC, nullable=False),
        _municipality_fk("cluster_check"),
        sa.PrimaryKeyConstraint("municipality_code", name=op.f("pk_cluster_check")),
    )

    op.create_table(
        "drug_warning",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", _text(4), nullable=False),
        sa.Column("signal_id", sa.Uuid(), nullable=True),
        sa.Column("concern_report_id", sa.Uuid(), nullable=True),
        sa.Column("text", _text(300), nullable=False),
        sa.Column("valid_days", sa.Integer(), nullable=False),
        sa.Column("status", _text(20), nullable=False),
        sa.Column("client_id", _text(64), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("created_by", _text(210), nullable=False),
        sa.Column("updated_at", _UTC, nullable=False),
        sa.Column("approved_at", _UTC, nullable=True),
        sa.Column("approved_by", _text(210), nullable=True),
        sa.Column("expires_at", _UTC, nullable=True),
        sa.Column("sms_body", _text(320), nullable=True),
        sa.Column("reviewed_at", _UTC, nullable=True),
        sa.Column("reviewed_by", _text(210), nullable=True),
        sa.Column("review_note", _text(1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_client.id"], name=op.f("fk_drug_warning_client_id_api_client")
        ),
        sa.ForeignKeyConstraint(
            ["concern_report_id"],
            ["concern_report.id"],
            name=op.f("fk_drug_warning_concern_report_id_concern_report"),
        ),
        _municipality_fk("drug_warning"),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["cluster_signal.id"],
            name=op.f("fk_drug_warning_signal_id_cluster_signal"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drug_warning")),
    )
    op.create_index(op.f("ix_drug_warning_municipality_code"), "drug_warning", ["municipality_code"])

    op.create_table(
        "incoming_drug_warning",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("warning_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", _text(4), nullable=False),
        sa.Column("received_at", _UTC, nullable=False),
        _municipality_fk("incoming_drug_warning"),
        sa.ForeignKeyConstraint(
            ["warning_id"],
            ["drug_warning.id"],
            name=op.f("fk_incoming_drug_warning_warning_id_drug_warning"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incoming_drug_warning")),
        sa.UniqueConstraint(
            "warning_id",
            "municipality_code",
            name=op.f("uq_incoming_drug_warning_warning_id_municipality_code"),
        ),
    )
    op.create_index(
        op.f("ix_incoming_drug_warning_municipality_code"),
        "incoming_drug_warning",
        ["municipality_code"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_incoming_drug_warning_municipality_code"), table_name="incoming_drug_warning"
    )
    op.drop_table("incoming_drug_warning")
    op.drop_index(op.f("ix_drug_warning_municipality_code"), table_name="drug_warning")
    op.drop_table("drug_warning")
    op.drop_table("cluster_check")
    op.drop_index("ix_cluster_signal_recent", table_name="cluster_signal")
    op.drop_table("cluster_signal")
    op.drop_index(op.f("ix_concern_report_municipality_code"), table_name="concern_report")
    op.drop_table("concern_report")
    op.drop_table("warning_settings")
