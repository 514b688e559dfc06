"""Personal values of an alert to and from its columns.

Every category is sealed, one token per category, bound to the alert and the category
(``alert:<id>:identity``), so a token copied to another row or column does not open and a
recipient's allowed categories open without the others. Clinical facts beside a linkable hash
are health data about a known person, so they are sealed like identity. Only the age band is
plain: it survives every consent (:data:`app.consent.fields.AGE_BAND_FIELD`).
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
        DataCategory.SITUATION: "situation_sealed",
        DataCategory.ACUTE_RISK: "acute_risk_sealed",
        DataCategory.SUBSTANCES: "substances_sealed",
        DataCategory.BYSTANDERS: "bystanders_sealed",
    }
)
"""The column holding each sealed category."""


REPORTER_COLUMN = "reporter_sealed"
REPORTER_CONTEXT = "reporter"
REPORTER_FIELDS = ("reporter.unit", "reporter.callback_phone")
"""The reporting unit is no consent category (it is about the ambulance, always shown to the
team), but unit and callback number with the time narrow down who was treated: sealed too."""


INCIDENT_CONTEXT = "dispatch_incident"
"""The dispatch incident id, sealed for the answers to the dispatch system."""


def seal_incident(cipher: FieldCipher, *, alert_id: uuid.UUID, incident_id: str) -> str:
    return cipher.seal(incident_id, context=context_of(alert_id, INCIDENT_CONTEXT))


def incident_of(cipher: FieldCipher, alert: Alert) -> str | None:
    """The alert's dispatch incident id; None on an objected alert, which keeps only its hash."""
    token = alert.dispatch_incident_sealed
    if token is None:
        return None
    return cipher.open(token, context=context_of(alert.id, INCIDENT_CONTEXT))


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
    columns: dict[str, Any] = {"age_band": personal.get(consent_fields.AGE_BAND_FIELD)}
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
    """The personal values of `alert` in `categories` (path -> value); opens only those.

    The age band comes with identity: where who it is may be shown, so may their age.
    """
    wanted = frozenset(categories)
    values: dict[str, Any] = {}
    if DataCategory.IDENTITY in wanted and alert.age_band is not None:
        values[consent_fields.AGE_BAND_FIELD] = alert.age_band
    for category, column in SEALED_COLUMNS.items():
        token = getattr(alert, column)
        if category not in wanted or token is None:
            continue
        opened = json.loads(cipher.open(token, context=context_of(alert.id, category)))
        allowed_paths = consent_fields.fields_in([category])
        values.update({k: v for k, v in opened.items() if k in allowed_paths})
    return {path: value for path, value in values.items() if value is not None}


def all_personal_values(cipher: FieldCipher, alert: Alert) -> dict[str, Any]:
    """Every personal value kept (path -> value): for a supplement to merge into."""
    return personal_values(cipher, alert, SEALED_COLUMNS)


def seal_history(
    cipher: FieldCipher, *, alert_id: uuid.UUID, version: int, values: Mapping[str, Any]
) -> str | None:
    """The sealed values a supplement replaced, bound to the alert and the version."""
    return _seal_values(cipher, values, context=history_context(alert_id, version))


def history_context(alert_id: uuid.UUID, version: int) -> str:
    """The context of the values version `version` of the alert replaced."""
    return context_of(alert_id, f"v{version}")


def open_history(
    cipher: FieldCipher, *, alert_id: uuid.UUID, version: int, token: str | None
) -> dict[str, Any]:
    if token is None:
        return {}
    opened: dict[str, Any] = json.loads(
        cipher.open(token, context=history_context(alert_id, version))
    )
    return opened


def opened_texts(
    cipher: FieldCipher, alerts: Iterable[Alert], category: DataCategory, field: str
) -> list[str]:
    """`field` (of `category`) in each of `alerts` that has it, for checking a free text
    against (`app.privacy.free_text.personal_data_in`): only that category is opened, and
    nobody is shown it, so no access-log entry."""
    found = (personal_values(cipher, alert, [category]).get(field) for alert in alerts)
    return [value for value in found if isinstance(value, str)]


def person_names(cipher: FieldCipher, alerts: Iterable[Alert]) -> list[str]:
    """The person's name in each of `alerts` that has one (see `opened_texts`)."""
    return opened_texts(cipher, alerts, DataCategory.IDENTITY, "person.name")


def place_descriptions(cipher: FieldCipher, alerts: Iterable[Alert]) -> list[str]:
    """The place description in each of `alerts` that has one (see `opened_texts`)."""
    return opened_texts(cipher, alerts, DataCategory.PLACE, "place.description")
