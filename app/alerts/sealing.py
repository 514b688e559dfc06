"""Personal values of an alert to and from its columns.

Identity, contact and place are sealed, one token per category, bound to the alert and the
category (``alert:<id>:identity``), so a token copied to another row or column does not open
and a recipient's allowed categories open without the others. The situation and clinical
facts are kept plain: on their own they do not say who the person is.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from app.alerts.models import Alert
from app.consent import fields as consent_fields
from app.consent.enums import DataCategory
from app.privacy.crypto import FieldCipher

SEALED_COLUMNS: Mapping[DataCategory, str] = MappingProxyType(
    {
        DataCategory.IDENTITY: "identity_sealed",
        DataCategory.CONTACT: "contact_sealed",
        DataCategory.PLACE: "place_sealed",
    }
)
"""The column holding each sealed category."""

PLAIN_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "place.type": "place_type",
        "person.homeless": "person_homeless",
        "person.children_in_household": "person_children_in_household",
        "clinical.substances": "substances",
        "clinical.naloxone_given": "naloxone_given",
        "clinical.naloxone_doses": "naloxone_doses",
        "clinical.outcome": "outcome",
        "clinical.observed_two_hours": "observed_two_hours",
    }
)
"""The column of each personal field that is not sealed."""


REPORTER_COLUMN = "reporter_sealed"
REPORTER_CONTEXT = "reporter"
REPORTER_FIELDS = ("reporter.unit", "reporter.callback_phone")
"""The reporting unit is no consent category (it is about the ambulance, always shown to the
team), but unit and callback number with the time narrow down who was treated: sealed too."""


def context_of(alert_id: uuid.UUID, category: DataCategory | str) -> str:
    name = category.value if isinstance(category, DataCategory) else category
    return f"alert:{alert_id}:{name}"


def _seal_values(cipher: FieldCipher, values: Mapping[str, Any], *, context: str) -> str | None:
    if not values:
        return None
    return cipher.seal(
        json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        context=context,
    )


def seal_reporter(
    cipher: FieldCipher, *, alert_id: uuid.UUID, unit: str | None, callback_phone: str | None
) -> str | None:
    """The sealed reporter column: unit and callback phone, or None without either."""
    values = {
        path: value
        for path, value in zip(REPORTER_FIELDS, (unit, callback_phone), strict=True)
        if value is not None
    }
    return _seal_values(cipher, values, context=context_of(alert_id, REPORTER_CONTEXT))


def reporter_values(cipher: FieldCipher, alert: Alert) -> dict[str, Any]:
    """`{"unit": …, "callback_phone": …}` of the alert's reporter (empty when none)."""
    token = alert.reporter_sealed
    if token is None:
        return {}
    opened = json.loads(cipher.open(token, context=context_of(alert.id, REPORTER_CONTEXT)))
    return {path.partition(".")[2]: opened[path] for path in REPORTER_FIELDS if path in opened}


def columns_of(
    cipher: FieldCipher, *, alert_id: uuid.UUID, personal: Mapping[str, Any]
) -> dict[str, Any]:
    """The column values that hold `personal` (path -> value) for alert `alert_id`."""
    columns: dict[str, Any] = {column: personal.get(path) for path, column in PLAIN_COLUMNS.items()}
    for category, column in SEALED_COLUMNS.items():
        values = {
            path: personal[path]
            for path in sorted(consent_fields.fields_in([category]))
            if personal.get(path) is not None
        }
        columns[column] = _seal_values(cipher, values, context=context_of(alert_id, category))
    return columns


def personal_values(
    cipher: FieldCipher, alert: Alert, categories: Iterable[DataCategory]
) -> dict[str, Any]:
    """The personal values of `alert` in `categories` (path -> value); opens only those."""
    wanted = frozenset(categories)
    values: dict[str, Any] = {
        path: getattr(alert, column)
        for path, column in PLAIN_COLUMNS.items()
        if consent_fields.CATEGORY_OF[path] in wanted
    }
    for category, column in SEALED_COLUMNS.items():
        token = getattr(alert, column)
        if category not in wanted or token is None:
            continue
        opened = json.loads(cipher.open(token, context=context_of(alert.id, category)))
        allowed_paths = consent_fields.fields_in([category])
        values.update({k: v for k, v in opened.items() if k in allowed_paths})
    return {path: value for path, value in values.items() if value is not None}
