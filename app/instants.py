"""Instants given to the API: aware, and within years the service can compute with.

An instant is read only from RFC 3339 text (JSON Schema's `date-time`): pydantic would also
read a number, or text such as ``"0.5"``, as Unix time, and ``"starts_at": 0`` made a shift in
1970. A time such as ``9999-12-31T23:59:59-05:00`` parses, but cannot be converted to UTC or moved
by a day without OverflowError; every instant in a request is therefore bounded here (422),
before any service computes with it. How far back or ahead an alert may have happened is a
separate, stricter rule (``IntakeSettings``), checked against the service clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

from app.strict import text_form

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
OUT_OF_RANGE = "must be a time between 1970 and 2199"
NOT_RFC3339 = "must be a date and time as text with a UTC offset, such as 2026-11-22T23:41:00+01:00"
RFC3339 = r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
"""RFC 3339's date-time, which JSON Schema's `date-time` format means; lower-case t and z too."""


def bounded_instant(value: datetime) -> datetime:
    """Refuse instants outside [EARLIEST, LATEST); the value itself is returned unchanged."""
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise ValueError(OUT_OF_RANGE) from exc
    if not EARLIEST <= utc < LATEST:
        raise ValueError(OUT_OF_RANGE)
    return value


BoundedInstant = Annotated[
    AwareDatetime,
    text_form(RFC3339, NOT_RFC3339, parsed=datetime),
    AfterValidator(bounded_instant),
]
"""An aware datetime the service can convert and compute with (kept with its offset)."""
