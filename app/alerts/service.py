"""Alert intake: check the sender may report for the municipality, store once, report status."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import repository
from app.alerts.enums import AlertStatus
from app.alerts.models import Alert
from app.alerts.repository import MunicipalityAccess
from app.alerts.schemas import AlertIn, AlertOut
from app.errors import Conflict, DomainError, NotFound


class AlertNotDelivered(DomainError):
    status, slug, title = 422, "alert-not-delivered", "The alert was NOT delivered"


class AlertNotPermitted(DomainError):
    status, slug, title = 403, "alert-not-delivered", "The alert was NOT delivered"


@dataclass(frozen=True)
class IntakeResult:
    alert: AlertOut
    created: bool


async def receive_alert(
    session: AsyncSession, *, client_id: str, alert_in: AlertIn, now: datetime
) -> IntakeResult:
    access = await repository.municipality_access(
        session, client_id=client_id, code=alert_in.municipality
    )
    if access is MunicipalityAccess.NOT_SERVED:
        raise AlertNotDelivered(
            f"Municipality {alert_in.municipality} is not served by odvarsel. "
            "The alert was NOT delivered: notify the municipality by phone."
        )
    if access is MunicipalityAccess.NOT_PERMITTED:
        raise AlertNotPermitted(
            f"This client may not report for municipality {alert_in.municipality}. "
            "The alert was NOT delivered: notify the municipality by phone."
        )

    fingerprint = request_fingerprint(alert_in)
    values = _columns_of(alert_in, client_id=client_id, fingerprint=fingerprint, now=now)
    if await repository.insert_unless_exists(session, values):
        return IntakeResult(alert=to_out(Alert(**values)), created=True)

    existing = await repository.get_by_incident(
        session, client_id=client_id, dispatch_incident_id=alert_in.dispatch_incident_id
    )
    if existing is None:  # pragma: no cover - the conflicting row cannot vanish: no deletes
        raise Conflict("The alert could not be stored; retry.")
    if existing.request_fingerprint != fingerprint:
        raise Conflict(
            f"Incident {alert_in.dispatch_incident_id} was already reported with other content "
            f"(alert {existing.id}). Send a new dispatch incident id for a new alert.",
            alert_id=str(existing.id),
        )
    return IntakeResult(alert=to_out(existing), created=False)


async def get_alert(session: AsyncSession, *, alert_id: uuid.UUID, client_id: str) -> AlertOut:
    alert = await repository.get_for_client(session, alert_id=alert_id, client_id=client_id)
    if alert is None:
        raise NotFound(f"No alert {alert_id} for this client.")
    return to_out(alert)


def request_fingerprint(alert_in: AlertIn) -> str:
    """Identifies the content of a request, so a retry can be told from a changed alert."""
    content = {
        "alert": alert_in.model_dump(mode="json"),
        "dropped": [d.model_dump() for d in alert_in.dropped_fields],
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _columns_of(
    alert_in: AlertIn, *, client_id: str, fingerprint: str, now: datetime
) -> dict[str, Any]:
    place, person, clinical = alert_in.place, alert_in.person, alert_in.clinical
    consent, reporter = alert_in.consent, alert_in.reporter
    return {
        "id": uuid.uuid4(),
        "client_id": client_id,
        "dispatch_incident_id": alert_in.dispatch_incident_id,
        "request_fingerprint": fingerprint,
        "municipality_code": alert_in.municipality,
        "kind": alert_in.kind.value,
        "occurred_at": alert_in.occurred_at,
        "received_at": now,
        "status": AlertStatus.RECEIVED.value,
        "consent_state": alert_in.consent_state.value,
        "consent_recipients": [r.value for r in consent.recipients] if consent else [],
        "consent_categories": (
            [c.value for c in consent.categories] if consent and consent.categories else None
        ),
        "place_description": place.description if place else None,
        "place_latitude": place.latitude if place else None,
        "place_longitude": place.longitude if place else None,
        "place_type": place.type.value if place and place.type else None,
        "person_national_id": person.national_id if person else None,
        "person_name": person.name if person else None,
        "person_phone": person.phone if person else None,
        "person_birth_year": person.birth_year if person else None,
        "person_sex": person.sex.value if person and person.sex else None,
        "person_homeless": person.homeless if person else None,
        "person_children_in_household": person.children_in_household if person else None,
        "substances": [s.value for s in clinical.substances]
        if clinical and clinical.substances
        else None,
        "naloxone_given": clinical.naloxone_given if clinical else None,
        "naloxone_doses": clinical.naloxone_doses if clinical else None,
        "outcome": clinical.outcome.value if clinical and clinical.outcome else None,
        "observed_two_hours": clinical.observed_two_hours if clinical else None,
        "reporter_unit": reporter.unit if reporter else None,
        "reporter_callback_phone": reporter.callback_phone if reporter else None,
        "dropped_fields": [d.model_dump() for d in alert_in.dropped_fields],
    }


def to_out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.id,
        dispatch_incident_id=alert.dispatch_incident_id,
        municipality=alert.municipality_code,
        kind=alert.kind,
        status=alert.status,
        consent_state=alert.consent_state,
        received_at=alert.received_at,
        notified_at=alert.notified_at,
        acknowledged_at=alert.acknowledged_at,
        dropped_fields=alert.dropped_fields,
    )
