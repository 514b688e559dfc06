"""What an objected alert keeps: only what cannot single the person out (docs/rules.md,
"Objected alerts: what is kept").

Pure. Hpl § 23 nr. 2 allows information given anonymously: it must fit at least 4-5 persons.
An objected alert keeps its municipality and its hour (rounded) always, and of the person's
data only the outcome and the age band, each only where, with this alert, at least
`MIN_GROUP` alerts of the same municipality in the last `WINDOW` share that value. The
counts are data: the service reads them (`app.alerts.group_rule.anonymity_counts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from app.consent import fields as consent_fields

OUTCOME_FIELD = "clinical.outcome"
AGE_BAND_FIELD = consent_fields.AGE_BAND_FIELD

ANONYMOUS_FIELDS: tuple[str, ...] = (OUTCOME_FIELD, AGE_BAND_FIELD)
"""The only personal fields an objected alert may keep, each under the group rule."""

MIN_GROUP = 5
"""Hpl § 23 nr. 2 (the 4-5-person test): the upper end, the safe reading."""

WINDOW = timedelta(days=365)
"""The alerts a value is counted among: the municipality's of the last year."""


def keeps(earlier_with_same_value: int) -> bool:
    """Whether a value shared by `earlier_with_same_value` other alerts of the municipality
    in the window may be kept: with this alert, at least `MIN_GROUP` must share it."""
    return earlier_with_same_value + 1 >= MIN_GROUP


def anonymous_values(personal: Mapping[str, Any], counts: Mapping[str, int]) -> dict[str, Any]:
    """Of `personal` (path -> value), what an objected alert keeps: the anonymous fields
    whose value `counts` (path -> how many earlier alerts share this alert's value; absent:
    none) lets it keep."""
    return {
        path: value
        for path, value in personal.items()
        if path in ANONYMOUS_FIELDS and value is not None and keeps(counts.get(path, 0))
    }


def to_the_hour(instant: datetime) -> datetime:
    """An objected alert's times, rounded down to the hour: the minute would narrow it down."""
    return instant.replace(minute=0, second=0, microsecond=0)
