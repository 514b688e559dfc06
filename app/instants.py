"""Instants given to the API: aware, and within years the service can compute with.

A time such as ``9999-12-31T23:59:59-05:00`` parses, but cannot be converted to UTC or moved
by a day without OverflowError; every instant in a request is therefore bounded here (422),
before any service computes with it. How far back or ahead an alert may have happened is a
separate, stricter rule (``IntakeSettings``), checked against the service clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
OUT_OF_RANGE = "must be a time between 1970 and 2199"


def bounded_instant(value: datetime) -> datetime:
    """Refuse instants outside [EARLIEST, LATEST); the value itself is returned unchanged."""
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise ValueError(OUT_OF_RANGE) from exc
    if not EARLIEST <= utc < LATEST:
        raise ValueError(OUT_OF_RANGE)
    return value


BoundedInstant = Annotated[AwareDatetime, AfterValidator(bounded_instant)]
"""An aware datetime the service can convert and compute with (kept with its offset)."""
