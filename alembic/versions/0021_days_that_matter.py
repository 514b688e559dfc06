"""the days that matter: short and closed days, fatal timing, the legevakt split

Revision ID: 0021
Revises: 0020

Issue 20 (docs/rules.md: "Working hours", "Fatal alerts", "Legevakt", "Step deadlines"):

* `triage_table` gains the short days (`short_days`, `short_day_end`), the closed days
  (`closed_days`) and when a fatal alert is told (`fatal_morning`, `fatal_evening`,
  `fatal_at_night`). A table stored before gets the defaults: the usual short days
  (the Wednesday before Maundy Thursday, 24 and 31 December, ending 12:00), no closed days,
  fatal alerts told by day at once and at 08:00 after a night from 22:00.
* The destination `legevakt` became two: `legevakt_sent_home` and `legevakt_admitted`. A
  stored rule that names `legevakt` meant "kept at the legevakt, its observation or ØHD beds
  included", so it names `legevakt_admitted` too; `legevakt` stays in it, so alerts of clients
  that still send the old value triage as the municipality chose. The downgrade reads both
  new values as `legevakt` again.
* `followup_step.due_at_once`: the template's deadline fell before the first responsible
  person was told, so the step is due at once from then. False for the steps stored before.

Columns are added and dropped with plain ALTER TABLE, as in 0020, so no table is rebuilt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DESTINATIONS = (
    "hospital",
    "legevakt_sent_home",
    "legevakt_admitted",
    "legevakt",
    "low_threshold",
    "home_alone",
    "with_others",
    "with_housing_staff",
)
"""The vocabulary's order as of this revision: stored lists keep it."""

TRIAGE_COLUMNS = (
    ("short_days", sa.JSON(), "'[\"wednesday_before_maundy_thursday\", \"12-24\", \"12-31\"]'"),
    ("short_day_end", sa.Time(), "'12:00:00'"),
    ("closed_days", sa.JSON(), "'[]'"),
    ("fatal_morning", sa.Time(), "'08:00:00'"),
    ("fatal_evening", sa.Time(), "'22:00:00'"),
)

_triage = sa.table(
    "triage_table",
    sa.column("municipality_code", sa.String()),
    sa.column("rules", sa.JSON()),
)


def _ordered(values: set[str]) -> list[str]:
    known = [v for v in DESTINATIONS if v in values]
    return known + sorted(values - set(DESTINATIONS))


def _rewrite_rules(change: Any) -> None:
    """Apply `change` (a set of destinations -> a set) to every stored rule's destinations."""
    bind = op.get_bind()
    for code, rules in bind.execute(sa.select(_triage.c.municipality_code, _triage.c.rules)):
        new_rules = []
        for rule in rules:
            destinations = rule.get("destinations")
            if destinations is not None:
                rule = {**rule, "destinations": _ordered(change(set(destinations)))}
            new_rules.append(rule)
        if new_rules != rules:
            bind.execute(
                sa.update(_triage)
                .where(_triage.c.municipality_code == code)
                .values(rules=new_rules)
            )


def _split(destinations: set[str]) -> set[str]:
    return destinations | {"legevakt_admitted"} if "legevakt" in destinations else destinations


def _join(destinations: set[str]) -> set[str]:
    new = {"legevakt_admitted", "legevakt_sent_home"}
    return (destinations - new) | {"legevakt"} if destinations & new else destinations


def upgrade() -> None:
    for name, type_, default in TRIAGE_COLUMNS:
        op.add_column(
            "triage_table",
            sa.Column(name, type_, server_default=sa.text(default), nullable=False),
        )
    op.add_column(
        "triage_table",
        sa.Column("fatal_at_night", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "followup_step",
        sa.Column("due_at_once", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    _rewrite_rules(_split)


def downgrade() -> None:
    _rewrite_rules(_join)
    op.execute("ALTER TABLE followup_step DROP COLUMN due_at_once")
    for name in ("fatal_at_night", *(name for name, _, _ in reversed(TRIAGE_COLUMNS))):
        op.execute(f"ALTER TABLE triage_table DROP COLUMN {name}")
