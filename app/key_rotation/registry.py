"""Every sealed column of the service, with how its row's sealing context is made.

A token is bound to a context naming its row (`app.privacy.crypto`), so re-sealing one needs
the same context the domain sealed it with: each entry calls the domain's own context
function. `tests/privacy/test_key_rotation.py` checks that every column named `*_sealed` in
the metadata is here, so a new sealed column cannot be left out of a rotation.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.alerts import sealing
from app.consent.enums import DataCategory
from app.followup.cases import notes
from app.webhooks import service as webhooks

Row = Mapping[str, Any]


@dataclass(frozen=True)
class SealedColumn:
    """One column of sealed tokens: its table, the row's key columns (the order rows are
    walked in), the other columns its context needs, and the context of a row."""

    table: str
    column: str
    keys: tuple[str, ...]
    context: Callable[[Row], str]
    reads: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"


def _alert_column(column: str, category: DataCategory | str) -> SealedColumn:
    return SealedColumn(
        "alert", column, ("id",), lambda row: sealing.context_of(_uuid(row["id"]), category)
    )


def _case_note(table: str, keys: tuple[str, ...]) -> SealedColumn:
    """A follow-up note, sealed under its case whichever row holds it (a step, an event)."""
    return SealedColumn(
        table,
        "note_sealed",
        keys,
        lambda row: notes.context_of(_uuid(row["case_id"])),
        reads=("case_id",),
    )


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


SEALED: tuple[SealedColumn, ...] = (
    _alert_column("dispatch_incident_sealed", sealing.INCIDENT_CONTEXT),
    *(_alert_column(column, category) for category, column in sealing.SEALED_COLUMNS.items()),
    _alert_column(sealing.REPORTER_COLUMN, sealing.REPORTER_CONTEXT),
    SealedColumn(
        "alert_version",
        "replaced_sealed",
        ("alert_id", "version"),
        lambda row: sealing.history_context(_uuid(row["alert_id"]), int(row["version"])),
    ),
    _case_note("followup_step", ("id",)),
    _case_note("followup_event", ("seq",)),
    SealedColumn(
        "webhook_endpoint",
        "secret_sealed",
        ("client_id",),
        lambda row: webhooks.secret_context(str(row["client_id"])),
    ),
    SealedColumn(
        "webhook_delivery",
        "payload_sealed",
        ("id",),
        lambda row: webhooks.payload_context(_uuid(row["id"])),
    ),
)
"""Every sealed column, in the order a rotation walks them."""
