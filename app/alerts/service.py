"""Alert intake: check the sender may report for the municipality, minimise, seal, store once.

Personal data is sealed here and opened only by :mod:`app.alerts.disclosure`.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import repository, sealing
from app.alerts.enums import AckVia, AlertStatus
from app.alerts.minimise import Minimised, minimise
from app.alerts.models import Alert
from app.alerts.schemas import AlertIn, AlertOut
from app.config import IntakeSettings
from app.errors import Conflict, DomainError, FieldProblem, InvalidFields, NotFound
from app.escalation.engine import manager as escalation_engine
from app.privacy.crypto import FieldCipher, KeyedHasher
from app.roster import duty as roster_duty
from app.roster.models import Member
from app.timeline import service as timeline
from app.timeline.models import EventKind
from app.timeline.schemas import StaffRef, TimelineEntry
from app.webhooks import service as webhooks


class AlertNotDelivered(DomainError):
    status, slug, title = 422, "alert-not-delivered", "The alert was NOT delivered"


class AlertNotPermitted(DomainError):
    status, slug, title = 403, "alert-not-delivered", "The alert was NOT delivered"


@dataclass(frozen=True)
class IntakeResult:
    alert: AlertOut
    created: bool


async def receive_alert(
    session: AsyncSession,
    *,
    client_id: str,
    municipalities: Collection[str],
    alert_in: AlertIn,
    now: datetime,
    cipher: FieldCipher,
    hasher: KeyedHasher,
    intake: IntakeSettings,
) -> IntakeResult:
    """Store a new alert and, in the same transaction, open its escalation (due at once).

    `municipalities`: those the client may report for (app/auth/municipalities.py).
    """
    check_occurred_at(alert_in.occurred_at, now=now, intake=intake)
    if alert_in.municipality not in municipalities:
        if not await repository.is_served(session, code=alert_in.municipality):
            raise AlertNotDelivered(
                f"Municipality {alert_in.municipality} is not served by odvarsel. "
                "The alert was NOT delivered: notify the municipality by phone."
            )
        raise AlertNotPermitted(
            f"This client may not report for municipality {alert_in.municipality}. "
            "The alert was NOT delivered: notify the municipality by phone."
        )

    # Minimised first: what the person objected to sharing never reaches a column, a hash
    # or the fingerprint.
    kept = minimise(alert_in)
    fingerprint = hasher.fingerprint(kept.canonical)
    values = _columns_of(
        alert_in,
        kept,
        client_id=client_id,
        fingerprint=fingerprint,
        now=now,
        cipher=cipher,
        hasher=hasher,
    )
    if await repository.insert_unless_exists(session, values):
        timeline.record(session, alert_id=values["id"], kind=EventKind.RECEIVED, at=now)
        await escalation_engine.open_escalation(
            session,
            alert_id=values["id"],
            municipality_code=alert_in.municipality,
            occurred_at=alert_in.occurred_at,
            now=now,
        )
        # Built from the values: constructing the ORM object just to read it back costs more.
        return IntakeResult(alert=_new_alert_out(values), created=True)

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
    return IntakeResult(alert=await alert_status(session, existing), created=False)


def check_occurred_at(occurred_at: datetime, *, now: datetime, intake: IntakeSettings) -> None:
    """Refuse a time no overdose alert can have: long ago, or ahead of the service clock.

    Such a time means a wrong clock or time zone at the sender; accepted, it would page at the
    wrong time or make the escalation unschedulable. (Late but plausible alerts are kept.)
    """
    earliest = now - timedelta(days=intake.max_age_days)
    latest = now + timedelta(minutes=intake.max_future_minutes)
    if occurred_at < earliest:
        reason = f"more than {intake.max_age_days} days before the service's clock"
    elif occurred_at > latest:
        reason = (
            f"more than {intake.max_future_minutes} minutes after the service's clock; "
            "check the sending system's clock and time zone"
        )
    else:
        return
    raise InvalidFields([FieldProblem(field="occurred_at", reason=reason)])


async def get_alert(session: AsyncSession, *, alert_id: uuid.UUID, client_id: str) -> AlertOut:
    """The status of an alert, for the client that posted it: no personal data, not logged."""
    alert = await repository.get_for_client(session, alert_id=alert_id, client_id=client_id)
    if alert is None:
        raise NotFound(f"No alert {alert_id} for this client.")
    return await alert_status(session, alert)


async def alert_status(session: AsyncSession, alert: Alert) -> AlertOut:
    """The alert with its timeline, who took it, the latest answer and the next step due."""
    events = await timeline.timeline(session, alert_id=alert.id)
    taken = next((e for e in events if e.kind is EventKind.ACKNOWLEDGED), None)
    answered = [e for e in events if e.kind is EventKind.ANSWERED]
    escalation = await escalation_engine.status_of(session, alert_id=alert.id)
    out = to_out(alert)
    out.acknowledged_by = taken.by if taken is not None else None
    out.answer = answered[-1].answer if answered else None
    out.next_step_due_at = escalation.next_due_at if escalation is not None else None
    out.timeline = events
    return out


async def acknowledge(
    session: AsyncSession,
    *,
    alert_id: uuid.UUID,
    member: Member | None,
    via: AckVia,
    now: datetime,
    via_number: str | None = None,
) -> bool:
    """Someone took the alert: its escalation stops, it is marked acknowledged, the timeline
    says by whom, and the dispatch system hears it (its webhook, if it registered one).

    `member` None: the fallback number took it by SMS (`via_number`). False, changing
    nothing, if it was taken already.
    """
    by = await staff_ref(session, member) if member is not None else None
    taken_by = by.name if by is not None else "reservenummeret"
    if not await escalation_engine.acknowledge(
        session,
        alert_id=alert_id,
        member_id=member.id if member is not None else None,
        taken_by=taken_by,
        via_number=via_number,
        now=now,
    ):
        return False
    await repository.mark_acknowledged(session, alert_id=alert_id, at=now)
    timeline.record(
        session, alert_id=alert_id, kind=EventKind.ACKNOWLEDGED, at=now, by=by, via=via.value
    )
    await notify_dispatcher(session, alert_id=alert_id, event_type="alert.acknowledged", now=now)
    return True


async def staff_ref(session: AsyncSession, member: Member) -> StaffRef:
    """Name, role and team of a staff member, as the dispatcher and colleagues see them."""
    team = await roster_duty.get_team(session, team_id=member.team_id)
    return StaffRef(name=member.name, role=member.role, team=team.name if team else "")


async def notify_dispatcher(
    session: AsyncSession, *, alert_id: uuid.UUID, event_type: str, now: datetime
) -> None:
    """Queue a signed webhook with the alert's status to the client that posted it."""
    await session.flush()  # the status reads the events just recorded (no autoflush)
    alert = await repository.get_by_id(session, alert_id=alert_id)
    if alert is None:  # pragma: no cover - alerts are never deleted
        return
    out = await alert_status(session, alert)
    await webhooks.enqueue(
        session,
        client_id=alert.client_id,
        event_type=event_type,
        data=out.model_dump(mode="json"),
        subject_id=alert.id,
        now=now,
    )


def _columns_of(
    alert_in: AlertIn,
    kept: Minimised,
    *,
    client_id: str,
    fingerprint: str,
    now: datetime,
    cipher: FieldCipher,
    hasher: KeyedHasher,
) -> dict[str, Any]:
    consent, reporter = alert_in.consent, alert_in.reporter
    alert_id = uuid.uuid4()
    national_id = kept.personal.get("person.national_id")
    return {
        "id": alert_id,
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
        # [] is a consent to share no category; None (absent) is all of them.
        "consent_categories": (
            [c.value for c in consent.categories]
            if consent and consent.categories is not None
            else None
        ),
        **sealing.columns_of(cipher, alert_id=alert_id, personal=kept.personal),
        "national_id_hash": hasher.national_id(national_id) if national_id else None,
        "reporter_sealed": sealing.seal_reporter(
            cipher,
            alert_id=alert_id,
            unit=reporter.unit if reporter else None,
            callback_phone=reporter.callback_phone if reporter else None,
        ),
        "dropped_fields": [d.model_dump() for d in kept.dropped],
        "inform_person_required": False,
        "shared_without_consent": [],
    }


def _new_alert_out(values: dict[str, Any]) -> AlertOut:
    """As `alert_status` would answer: received, its first step due now."""
    received = values["received_at"]
    return AlertOut(
        next_step_due_at=received,
        timeline=[TimelineEntry(at=received, kind=EventKind.RECEIVED)],
        id=values["id"],
        dispatch_incident_id=values["dispatch_incident_id"],
        municipality=values["municipality_code"],
        kind=values["kind"],
        status=values["status"],
        consent_state=values["consent_state"],
        received_at=values["received_at"],
        dropped_fields=values["dropped_fields"],
    )


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
