"""Recording and reading an alert's timeline; services of other domains call `record`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.timeline import repository
from app.timeline.models import AlertEvent, AlertEventKind
from app.timeline.schemas import TimelineEntry


def record(
    session: AsyncSession,
    *,
    alert_id: uuid.UUID,
    kind: AlertEventKind,
    at: datetime,
    **data: Any,
) -> None:
    """Add an event in the caller's transaction. `data` must hold no personal data."""
    repository.add(session, AlertEvent(alert_id=alert_id, at=at, kind=kind, data=_plain(data)))


async def timeline(session: AsyncSession, *, alert_id: uuid.UUID) -> list[TimelineEntry]:
    events = await repository.list_for(session, alert_id=alert_id)
    return [TimelineEntry.model_validate({"at": e.at, "kind": e.kind, **e.data}) for e in events]


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready: pydantic models dumped, None left out."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        out[key] = value.model_dump(mode="json") if hasattr(value, "model_dump") else value
    return out
