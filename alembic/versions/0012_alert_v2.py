"""alert version 2: every category sealed, triage, supplements

Revision ID: 0012
Revises: 0011

* `alert`: the clinical and situation facts sat in plain columns beside a linkable hash. They
  are sealed like identity, one token per category (`situation`, `acute_risk`, `substances`,
  `bystanders`; AES-256-GCM, context `alert:<id>:<category>`, as app.alerts.sealing seals
  them), with the configured keys (CRYPTO__KEYS / CRYPTO__ACTIVE_KEY_ID: run the migration
  with the service's settings); the plain columns are dropped. First-version values are
  written as their replacements (`private_home` → `own_home`, `opioid` → `other_opioid`, ...;
  `naloxone_given`/`_doses` → `naloxone.given`/`.doses`). A consent category `clinical`
  becomes `acute_risk` + `substances`. `police` is removed from consent recipients: the
  police are no longer a recipient by consent (docs/rules.md, "Consent and who sees what").
* New plain columns, what is safe to count: `age_band`, `reporter_type`, the triage
  (`triage_action`, `triage_reason`, `triage_page_at`, `triage_first_contact_ward`; null for
  alerts stored before triage), and `version`.
* `alert_version`: one row per supplement.
* `escalation_state`: `plan` (`page` / `leader_only`), `first_contact_ward`, `scheduled_for`.

The downgrade opens the tokens into the old plain columns, mapping values back where the first
version had a word for them (the rest, and bystanders and others present, are lost).
Columns are added and dropped with plain ALTER TABLE, not batch mode: on SQLite a batch
rebuild of `alert` would drop a table that other tables reference.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel

import app.dbtypes
from alembic import context, op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PLAIN = {
    "place_type": ("situation", "place.type"),
    "person_homeless": ("situation", "person.homeless"),
    "person_children_in_household": ("situation", "person.children_in_household"),
    "outcome": ("acute_risk", "clinical.outcome"),
    "observed_two_hours": ("acute_risk", "clinical.observed_two_hours"),
    "naloxone_given": ("acute_risk", "naloxone.given"),
    "naloxone_doses": ("acute_risk", "naloxone.doses"),
    "substances": ("substances", "clinical.substances"),
}
"""Old plain column -> (category, path of version 2)."""

_PLACE_TYPES = {
    "private_home": "own_home",
    "public_place": "outdoors",
    "shelter": "temporary_housing",
}
_SUBSTANCES = {"opioid": "other_opioid", "unknown": "unknown_or_new"}
_PLACE_TYPES_BACK = {
    "own_home": "private_home",
    "outdoors": "public_place",
    "temporary_housing": "shelter",
}
_OLD_PLACE_TYPES = frozenset({"private_home", "public_place", "shelter", "other"})
_SUBSTANCES_BACK = {
    "heroin": "opioid",
    "other_opioid": "opioid",
    "lar_medicine": "opioid",
    "unknown_or_new": "unknown",
}
_OLD_SUBSTANCES = frozenset({"opioid", "benzodiazepine", "alcohol", "ghb", "stimulant", "unknown"})
_CATEGORIES = ("situation", "acute_risk", "substances", "bystanders")

_alert = sa.table(
    "alert",
    sa.column("id", sa.Uuid()),
    sa.column("consent_recipients", sa.JSON()),
    sa.column("consent_categories", sa.JSON()),
    sa.column("place_type", sa.String()),
    sa.column("person_homeless", sa.Boolean()),
    sa.column("person_children_in_household", sa.Boolean()),
    sa.column("outcome", sa.String()),
    sa.column("observed_two_hours", sa.Boolean()),
    sa.column("naloxone_given", sa.Boolean()),
    sa.column("naloxone_doses", sa.Integer()),
    sa.column("substances", sa.JSON()),
    *(sa.column(f"{category}_sealed", sa.Text()) for category in _CATEGORIES),
)


def _cipher():  # type: ignore[no-untyped-def]
    from app.config import Settings
    from app.privacy.keys import build_cipher

    return build_cipher(context.config.attributes.get("settings") or Settings())


def _context(alert_id: uuid.UUID, category: str) -> str:
    return f"alert:{alert_id}:{category}"


def _dumps(values: dict[str, Any]) -> str:
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _upgraded(column: str, value: Any) -> Any:
    if column == "place_type":
        return _PLACE_TYPES.get(value, value)
    if column == "substances":
        return list(dict.fromkeys(_SUBSTANCES.get(v, v) for v in value))
    return value


def _upgraded_consent(recipients: list[str], categories: list[str] | None) -> dict[str, Any]:
    new_categories = None
    if categories is not None:
        expanded: list[str] = []
        for category in categories:
            expanded.extend(("acute_risk", "substances") if category == "clinical" else (category,))
        new_categories = list(dict.fromkeys(expanded))
    return {
        "consent_recipients": [r for r in recipients if r != "police"],
        "consent_categories": new_categories,
    }


def upgrade() -> None:
    for category in _CATEGORIES:
        op.add_column("alert", sa.Column(f"{category}_sealed", sa.Text(), nullable=True))
    op.add_column("alert", sa.Column("age_band", sqlmodel.AutoString(length=10), nullable=True))
    op.add_column(
        "alert", sa.Column("reporter_type", sqlmodel.AutoString(length=30), nullable=True)
    )
    op.add_column(
        "alert", sa.Column("triage_action", sqlmodel.AutoString(length=20), nullable=True)
    )
    op.add_column(
        "alert", sa.Column("triage_reason", sqlmodel.AutoString(length=30), nullable=True)
    )
    op.add_column(
        "alert",
        sa.Column("triage_page_at", app.dbtypes.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "alert",
        sa.Column(
            "triage_first_contact_ward", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )
    op.add_column(
        "alert", sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
    )
    _seal_plain_columns()
    for column in _PLAIN:
        op.execute(f"ALTER TABLE alert DROP COLUMN {column}")

    op.create_table(
        "alert_version",
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", app.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("client_id", sqlmodel.AutoString(length=64), nullable=False),
        sa.Column("supplement_id", sqlmodel.AutoString(length=100), nullable=True),
        sa.Column("fingerprint", sqlmodel.AutoString(length=64), nullable=False),
        sa.Column("changed", sa.JSON(), nullable=False),
        sa.Column("consent_state", sqlmodel.AutoString(length=20), nullable=False),
        sa.Column("purged", sa.JSON(), nullable=False),
        sa.Column("replaced_sealed", sa.Text(), nullable=True),
        sa.Column("dropped_fields", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"]),
        sa.PrimaryKeyConstraint("alert_id", "version"),
        sa.UniqueConstraint("alert_id", "supplement_id"),
    )

    op.add_column(
        "escalation_state",
        sa.Column("plan", sqlmodel.AutoString(length=20), server_default="page", nullable=False),
    )
    op.add_column(
        "escalation_state",
        sa.Column("first_contact_ward", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "escalation_state",
        sa.Column("scheduled_for", app.dbtypes.UTCDateTime(timezone=True), nullable=True),
    )


def _seal_plain_columns() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            _alert.c.id,
            _alert.c.consent_recipients,
            _alert.c.consent_categories,
            *(_alert.c[column] for column in _PLAIN),
        )
    ).all()
    cipher = None
    for row in rows:
        sealed: dict[str, dict[str, Any]] = {}
        for column, (category, path) in _PLAIN.items():
            value = getattr(row, column)
            if value is not None:
                sealed.setdefault(category, {})[path] = _upgraded(column, value)
        values: dict[str, Any] = _upgraded_consent(
            row.consent_recipients or [], row.consent_categories
        )
        if sealed:
            cipher = cipher or _cipher()
            for category, plain in sealed.items():
                values[f"{category}_sealed"] = cipher.seal(
                    _dumps(plain), context=_context(row.id, category)
                )
        bind.execute(sa.update(_alert).where(_alert.c.id == row.id).values(values))


def downgrade() -> None:
    op.drop_column("escalation_state", "scheduled_for")
    op.drop_column("escalation_state", "first_contact_ward")
    op.drop_column("escalation_state", "plan")
    op.drop_table("alert_version")

    op.add_column("alert", sa.Column("place_type", sqlmodel.AutoString(length=20), nullable=True))
    op.add_column("alert", sa.Column("person_homeless", sa.Boolean(), nullable=True))
    op.add_column("alert", sa.Column("person_children_in_household", sa.Boolean(), nullable=True))
    op.add_column("alert", sa.Column("substances", sa.JSON(), nullable=True))
    op.add_column("alert", sa.Column("naloxone_given", sa.Boolean(), nullable=True))
    op.add_column("alert", sa.Column("naloxone_doses", sa.Integer(), nullable=True))
    op.add_column("alert", sa.Column("outcome", sqlmodel.AutoString(length=30), nullable=True))
    op.add_column("alert", sa.Column("observed_two_hours", sa.Boolean(), nullable=True))
    _open_sealed_columns()
    for category in _CATEGORIES:
        op.execute(f"ALTER TABLE alert DROP COLUMN {category}_sealed")
    for column in (
        "age_band",
        "reporter_type",
        "triage_action",
        "triage_reason",
        "triage_page_at",
        "triage_first_contact_ward",
        "version",
    ):
        op.execute(f"ALTER TABLE alert DROP COLUMN {column}")


def _downgraded(column: str, value: Any) -> Any:
    if column == "place_type":
        old = _PLACE_TYPES_BACK.get(value, value)
        return old if old in _OLD_PLACE_TYPES else "other"
    if column == "substances":
        mapped = (_SUBSTANCES_BACK.get(v, v) for v in value)
        return list(dict.fromkeys(v for v in mapped if v in _OLD_SUBSTANCES)) or None
    return value


def _open_sealed_columns() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            _alert.c.id,
            _alert.c.consent_categories,
            *(_alert.c[f"{category}_sealed"] for category in _CATEGORIES),
        )
    ).all()
    cipher = None
    for row in rows:
        opened: dict[str, Any] = {}
        for category in _CATEGORIES:
            token = getattr(row, f"{category}_sealed")
            if token is not None:
                cipher = cipher or _cipher()
                opened.update(json.loads(cipher.open(token, context=_context(row.id, category))))
        values: dict[str, Any] = {
            column: _downgraded(column, opened[path])
            for column, (_, path) in _PLAIN.items()
            if opened.get(path) is not None
        }
        if row.consent_categories is not None:
            old = [
                c
                for c in row.consent_categories
                if c not in ("acute_risk", "substances", "bystanders")
            ]
            if {"acute_risk", "substances"} & set(row.consent_categories):
                old.append("clinical")
            values["consent_categories"] = old
        if values:
            bind.execute(sa.update(_alert).where(_alert.c.id == row.id).values(values))
