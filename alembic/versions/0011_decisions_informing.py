"""manual decisions, inform duties, members' health-personnel basis

Revision ID: 0011
Revises: 0010

* `manual_decision`: manual, recorded disclosures (police, child welfare, relatives,
  pregnancy) with basis, reason, who decided, and the access-log entry each wrote.
* `inform_duty`: the duty to tell the person what was shared without consent (pbrl § 3-6),
  with who informs or why not. `decision_id` has no foreign key: app.informing does not
  depend on app.decisions.
* `member.health_personnel_basis` (hpl § 3): members flagged as health personnel get
  `authorisation`. LEADERS SHOULD REVIEW: the old flag also covered cooperating personnel
  under the same confidentiality, and staff employed in a care role in the municipal health
  and care service should be `municipal_care_role`; members who are neither must be set to
  null (not health personnel).

The column of `member` is added with plain ALTER TABLE, not batch mode: on SQLite a batch
rebuild would drop tables that others reference.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.dbtypes
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ENTRY_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "manual_decision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("decided_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("basis", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("attestations", sa.JSON(), nullable=False),
        sa.Column("decided_by_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("decided_by_role", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("shared_categories", sa.JSON(), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("access_log_entry_id", _ENTRY_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["access_log_entry_id"],
            ["access_log_entry.id"],
            name=op.f("fk_manual_decision_access_log_entry_id_access_log_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_manual_decision_alert_id_alert")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_client.id"], name=op.f("fk_manual_decision_client_id_api_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manual_decision")),
    )
    op.create_index(op.f("ix_manual_decision_alert_id"), "manual_decision", ["alert_id"])

    op.create_table(
        "inform_duty",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("opened_at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("trigger", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=True),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("informed_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column(
            "not_informed_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True
        ),
        sa.Column("recorded_at", app.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=210), nullable=True),
        sa.CheckConstraint(
            "informed_by IS NULL OR not_informed_reason IS NULL",
            name=op.f("ck_inform_duty_one_answer"),
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_inform_duty_alert_id_alert")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inform_duty")),
    )
    op.create_index(op.f("ix_inform_duty_alert_id"), "inform_duty", ["alert_id"])

    op.add_column(
        "member",
        sa.Column(
            "health_personnel_basis", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True
        ),
    )
    # The old flag meant "health personnel, or cooperating under the same confidentiality":
    # `authorisation` is the reading kept for it; leaders should review each member.
    member = sa.table(
        "member",
        sa.column("is_health_personnel", sa.Boolean()),
        sa.column("health_personnel_basis", sa.String()),
    )
    op.execute(
        member.update()
        .where(member.c.is_health_personnel == sa.true())
        .values(health_personnel_basis="authorisation")
    )


def downgrade() -> None:
    op.drop_column("member", "health_personnel_basis")
    op.drop_index(op.f("ix_inform_duty_alert_id"), table_name="inform_duty")
    op.drop_table("inform_duty")
    op.drop_index(op.f("ix_manual_decision_alert_id"), table_name="manual_decision")
    op.drop_table("manual_decision")
