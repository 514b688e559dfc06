"""who is warned, and documentation as it happens: warning kinds, the leader's choice of
recipients, external recipients; steps whose deadline follows another step

Revision ID: 0024
Revises: 0021

Issue 20 items 4, 8-10 (docs/rules.md, "Documentation as it happens", "The serious-event
report", "Repeated overdoses", "Who is warned"). Written after 0021 while 0022 and 0023 were
written on other branches: the revisions are chained when merged.

* `drug_warning.kind` (`cluster`, `substance`, `other`): decides who is suggested. A warning
  stored before is `cluster` when it came from a signal, else `substance`, as a new draft
  without a kind would be.
* `drug_warning.recipients`: who the leader chose at approval (and the suggested ones left
  out). Empty for the warnings approved before: they went to the whole contact list, which
  their SMS rows in the outbox still show.
* `warning_settings.external`: recipients outside the service (SMS numbers, e-mail
  addresses). None for the settings stored before.

* `followup_step.after_step`, `after_same_working_day`, `after_hours`: a step whose deadline
  follows another step's completion (the template's `after`). None for the steps stored
  before: their deadlines stay as planned. Municipalities' stored templates are not changed
  (they are the municipality's own; docs/rules.md, "Documentation as it happens").
* `followup_settings.coordinating_unit`: who convenes the urgent meeting of repeated
  overdoses (None: «koordinerende enhet»; docs/rules.md, "Repeated overdoses").
* `followup_step.asks`, `answer`, `helsetilsynet_notified`: the serious-event report asks
  whether the death may follow from the service (docs/rules.md, "The serious-event report").
  The `serious_event_report` steps of cases stored before ask it too, so a leader who
  records one done after the upgrade answers it.

Columns are added and dropped with plain ALTER TABLE, as in 0020 and 0021.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "drug_warning",
        sa.Column("kind", sa.String(length=20), server_default="other", nullable=False),
    )
    op.add_column(
        "drug_warning",
        sa.Column("recipients", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
    )
    op.add_column(
        "warning_settings",
        sa.Column("external", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
    )
    op.add_column("followup_step", sa.Column("after_step", sa.String(length=40), nullable=True))
    op.add_column(
        "followup_step",
        sa.Column(
            "after_same_working_day", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )
    op.add_column("followup_step", sa.Column("after_hours", sa.Float(), nullable=True))
    op.add_column("followup_step", sa.Column("asks", sa.String(length=40), nullable=True))
    op.add_column("followup_step", sa.Column("answer", sa.String(length=10), nullable=True))
    op.add_column("followup_step", sa.Column("helsetilsynet_notified", sa.Boolean(), nullable=True))
    op.add_column(
        "followup_settings", sa.Column("coordinating_unit", sa.String(length=100), nullable=True)
    )
    # The serious-event report of the fatal cases stored before asks too (item 10).
    op.execute(
        "UPDATE followup_step SET asks = 'service_related_death' "
        "WHERE key = 'serious_event_report' AND kind = 'report'"
    )
    op.execute(
        "UPDATE drug_warning SET kind = CASE WHEN signal_id IS NOT NULL THEN 'cluster' "
        "ELSE 'substance' END"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE followup_settings DROP COLUMN coordinating_unit")
    for name in (
        "helsetilsynet_notified",
        "answer",
        "asks",
        "after_hours",
        "after_same_working_day",
        "after_step",
    ):
        op.execute(f"ALTER TABLE followup_step DROP COLUMN {name}")
    op.execute("ALTER TABLE warning_settings DROP COLUMN external")
    op.execute("ALTER TABLE drug_warning DROP COLUMN recipients")
    op.execute("ALTER TABLE drug_warning DROP COLUMN kind")
