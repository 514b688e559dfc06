"""What of a validated alert is kept: never store what may not be shared (BRIEF §4).

Pure. Personal values are handled as a flat mapping from the field paths of
:mod:`app.consent.fields` (``person.name``) to JSON values, the form they are sealed and
disclosed in.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from app.alerts.schemas import AlertIn
from app.consent import fields as consent_fields
from app.consent.enums import ConsentState
from app.errors import FieldProblem

OBJECTION_REASON = "the person objected to sharing; not stored"


@dataclass(frozen=True, slots=True)
class Minimised:
    personal: dict[str, Any]
    """Path -> value of every personal field that is kept and not empty."""
    dropped: list[FieldProblem]
    """Fields left out as invalid, then fields left out because the person objected."""
    canonical: str
    """The request as kept, as canonical JSON: what a retry must repeat."""


def minimise(alert_in: AlertIn) -> Minimised:
    """The alert as it may be stored: on an objection without any identifying field."""
    content = alert_in.model_dump(mode="json")
    personal = {
        path: value
        for path in consent_fields.CATEGORY_OF
        if (value := _get(content, path)) is not None
    }
    dropped = list(alert_in.dropped_fields)
    if alert_in.consent_state is ConsentState.OBJECTED:
        for path in consent_fields.fields_to_drop_on_objection(personal):
            del personal[path]
            _delete(content, path)
            dropped.append(FieldProblem(field=path, reason=OBJECTION_REASON))
    canonical = json.dumps(
        {"alert": content, "dropped": [d.model_dump() for d in dropped]},
        sort_keys=True,
        separators=(",", ":"),
    )
    return Minimised(personal=personal, dropped=dropped, canonical=canonical)


def _get(content: dict[str, Any], path: str) -> Any:
    section, _, name = path.partition(".")
    values = content.get(section)
    return values.get(name) if isinstance(values, dict) else None


def _delete(content: dict[str, Any], path: str) -> None:
    section, _, name = path.partition(".")
    values = content.get(section)
    if isinstance(values, dict):
        # A copy, so the caller's model dump is never changed behind its back.
        values = copy.copy(values)
        values.pop(name, None)
        content[section] = values
