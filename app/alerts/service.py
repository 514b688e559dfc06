"""An alert after intake: its status as the dispatcher sees it, taking it, and telling the
dispatch system (:mod:`app.alerts.intake` receives it)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import repository, sealing
from app.alerts.anonymity import to_the_hour
from app.alerts.enums import AckVia
from app.alerts.models import Alert
from app.alerts.responses import AlertOut, AlertSummary, TriageOut
from app.consent.enums import ConsentState
from app.errors import NotFound
from app.escalation import service as escalation_service
from app.privacy.crypto import FieldCipher
from app.roster.models import Member
from app.roster.rota import duty as roster_duty
from app.timeline import service as timeline
from app.timeline.models import AlertEventKind
from app.timeline.schemas import StaffRef
from app.webhooks import service as webhooks


async def get_alert(
    session: AsyncSession, *, alert_id: uuid.UUID, client_id: str, cipher: FieldCipher
) -> AlertOut:
    """The status of an alert, for the client that posted it: no personal data, not logged."""
    alert = await repository.get_for_client(session, alert_id=alert_id, client_id=client_id)
    if alert is None:
        raise NotFound(f"No alert {alert_id} for this client.")
    return await alert_status(session, alert, cipher=cipher)


async def check_in_municipalities(
    session: AsyncSession, *, alert_id: uuid.UUID, municipalities: Collection[str]
) -> None:
    """NotFound unless the alert belongs to one of `municipalities` (a case system's): the
    same answer for an unknown alert and another municipality's."""
    municipality = await repository.municipality_of(session, alert_id=alert_id)
    if municipality is None or municipality not in municipalities:
        raise NotFound(f"No alert {alert_id} in this client's municipalities.")


async def recent_alerts(
    session: AsyncSession,
    *,
    municipalities: list[str],
    triage_action: str | None,
    offset: int,
    limit: int,
) -> list[AlertSummary]:
    """The newest alerts of the municipalities, for the leader's case system: unpaged
    (`no_page`) alerts are seen here. No personal data, so not logged."""
    alerts = await repository.recent_in(
        session,
        municipalities=municipalities,
        triage_action=triage_action,
        offset=offset,
        limit=limit,
    )
    return [summary_of(alert) for alert in alerts]


def summary_of(alert: Alert) -> AlertSummary:
    anonymous = alert.consent_state == ConsentState.OBJECTED
    return AlertSummary(
        **header_of(alert),
        **times_of(alert, anonymous=anonymous),
        version=alert.version,
        triage=triage_out(alert),
    )


def header_of(alert: Alert) -> dict[str, Any]:
    """What every answer about an alert names it by, none of it personal data: its id,
    municipality, kind, status and consent state."""
    return {
        "id": alert.id,
        "municipality": alert.municipality_code,
        "kind": alert.kind,
        "status": alert.status,
        "consent_state": alert.consent_state,
    }


def times_of(alert: Alert, *, anonymous: bool) -> dict[str, datetime]:
    """When it happened and when it was received: to the hour if the alert is anonymous."""
    if anonymous:
        return {
            "occurred_at": to_the_hour(alert.occurred_at),
            "received_at": to_the_hour(alert.received_at),
        }
    return {"occurred_at": alert.occurred_at, "received_at": alert.received_at}


async def alert_status(session: AsyncSession, alert: Alert, *, cipher: FieldCipher) -> AlertOut:
    """The alert with its timeline, who took it, the latest answer and the next step due."""
    events = await timeline.timeline(session, alert_id=alert.id)
    taken = next((e for e in events if e.kind is AlertEventKind.ACKNOWLEDGED), None)
    answered = [e for e in events if e.kind is AlertEventKind.ANSWERED]
    escalation = await escalation_service.status_of(session, alert_id=alert.id)
    out = to_out(alert, cipher=cipher)
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
    cipher: FieldCipher,
    via_number: str | None = None,
) -> bool:
    """Someone took the alert: its escalation stops, it is marked acknowledged, the timeline
    says by whom, and the dispatch system hears it (its webhook, if it registered one).

    `member` None: the fallback number took it by SMS (`via_number`). False, changing
    nothing, if it was taken already.
    """
    by = await staff_ref(session, member) if member is not None else None
    taken_by = by.name if by is not None else "reservenummeret"
    if not await escalation_service.acknowledge(
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
        session, alert_id=alert_id, kind=AlertEventKind.ACKNOWLEDGED, at=now, by=by, via=via.value
    )
    await notify_dispatcher(
        session, alert_id=alert_id, event_type="alert.acknowledged", now=now, cipher=cipher
    )
    return True


async def staff_ref(session: AsyncSession, member: Member) -> StaffRef:
    """Name, role and team of a staff member, as the dispatcher and colleagues see them."""
    team = await roster_duty.get_team(session, team_id=member.team_id)
    return StaffRef(name=member.name, role=member.role, team=team.name if team else "")


async def notify_dispatcher(
    session: AsyncSession,
    *,
    alert_id: uuid.UUID,
    event_type: str,
    now: datetime,
    cipher: FieldCipher,
) -> None:
    """Queue a signed webhook with the alert's status to the client that posted it."""
    alert = await repository.get_by_id(session, alert_id=alert_id)
    if alert is None:  # pragma: no cover - alerts are never deleted
        return
    await send_status(session, alert, event_type=event_type, now=now, cipher=cipher)


async def send_status(
    session: AsyncSession, alert: Alert, *, event_type: str, now: datetime, cipher: FieldCipher
) -> AlertOut:
    """As :func:`notify_dispatcher`, for an alert already loaded; returns the status sent,
    so a caller answering with it need not read it again."""
    await session.flush()  # the status reads the events just recorded (no autoflush)
    out = await alert_status(session, alert, cipher=cipher)
    await webhooks.enqueue(
        session,
        client_id=alert.client_id,
        event_type=event_type,
        data=out.model_dump(mode="json"),
        subject_id=alert.id,
        now=now,
        cipher=cipher,
    )
    return out


def to_out(alert: Alert, *, cipher: FieldCipher) -> AlertOut:
    return AlertOut(
        **header_of(alert),
        # Opened for the dispatch system's own answer; None on an objected alert.
        dispatch_incident_id=sealing.incident_of(cipher, alert),
        received_at=alert.received_at,
        notified_at=alert.notified_at,
        acknowledged_at=alert.acknowledged_at,
        dropped_fields=alert.dropped_fields,
        version=alert.version,
        triage=triage_out(alert),
    )


def triage_out(alert: Alert) -> TriageOut | None:
    if alert.triage_action is None:  # alerts stored before triage
        return None
    return TriageOut(
        action=alert.triage_action,
        page_at=alert.triage_page_at,
        first_contact_ward=alert.triage_first_contact_ward,
        reason=alert.triage_reason or "",
    )
