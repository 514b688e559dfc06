"""Escalation, as the other domains use it: open one for a new alert, follow a supplement's
new triage, stop it when someone takes the alert, and read it.

Intake, supplements, the link pages and the SMS replies call this module; the worker's round
that moves escalations on is `engine.round`. Each use case runs in the caller's transaction
and writes its SMS to the outbox, so the state change and the messages it causes commit
together; the worker is woken on commit.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import DomainError
from app.escalation.engine import repository as state_repository
from app.escalation.engine.messages import PAGING_PURPOSES, SUBJECT_KIND, messages_for_taken
from app.escalation.engine.models import EscalationPlan, EscalationState, EscalationStatus
from app.i18n import spoken
from app.notify import outbox
from app.notify.models import OutboxStatus
from app.roster.rota import duty as roster_duty
from app.timeline import service as timeline
from app.timeline.models import AlertEventKind
from app.triage import rules as triage_rules

log = logging.getLogger(__name__)


class NoTeamForMunicipality(DomainError):
    """Nobody would be paged: the dispatcher must phone instead, so the alert is refused."""

    status, slug, title = 422, "alert-not-delivered", "The alert was NOT delivered"


@dataclass(frozen=True)
class Paging:
    """An alert as its escalation needs it (which, whose municipality, when it happened) and
    what triage decided about paging it: when (None: nobody is paged), whom first (`plan`),
    and whether the first page says to agree with the ward first."""

    alert_id: uuid.UUID
    municipality_code: str
    occurred_at: datetime
    due_at: datetime | None
    plan: EscalationPlan
    first_contact_ward: bool

    @classmethod
    def of(
        cls,
        decided: triage_rules.Triage,
        *,
        alert_id: uuid.UUID,
        municipality_code: str,
        occurred_at: datetime,
    ) -> Paging:
        return cls(
            alert_id,
            municipality_code,
            occurred_at,
            decided.page_at,
            _plan_of(decided),
            decided.first_contact_ward,
        )


def _plan_of(decided: triage_rules.Triage) -> EscalationPlan:
    if decided.action is triage_rules.TriageAction.FATAL:
        return EscalationPlan.LEADER_ONLY
    if decided.action is triage_rules.TriageAction.LEADER_NOW:
        return EscalationPlan.LEADER_URGENT
    return EscalationPlan.PAGE


async def open_escalation(session: AsyncSession, paging: Paging, *, now: datetime) -> None:
    """Open the escalation of a new alert, due at `paging.due_at` (None: at once; triage may
    put it off to working hours); the worker pages its first step, or tells the leader
    (`LEADER_ONLY`).

    Raises NoTeamForMunicipality (rolling the alert back) when no team receives the
    municipality's alerts: storing an alert that nobody is paged for would lose it silently.
    The first step is left to the worker so intake stays a few cheap statements; the NOTIFY
    sent on commit (in the same statement as the insert) wakes it without delay.
    """
    opened = await state_repository.open_for_alert_team(
        session,
        {
            "id": uuid.uuid4(),
            "alert_id": paging.alert_id,
            "occurred_at": paging.occurred_at,
            "status": EscalationStatus.ACTIVE.value,
            "pass_index": 0,
            "step_index": 0,
            "next_due_at": paging.due_at or now,
            "scheduled_for": _later(paging.due_at, now),
            "plan": paging.plan.value,
            "first_contact_ward": paging.first_contact_ward,
            "reply_code": f"{secrets.randbelow(9000) + 1000}",
            "roster_hole_reported": False,
            "started_at": now,
        },
        municipality_code=paging.municipality_code,
    )
    if not opened:
        log.error("no team receives alerts", extra={"municipality": paging.municipality_code})
        raise NoTeamForMunicipality(
            f"Municipality {paging.municipality_code} has no on-duty team in odvarsel. The "
            "alert was NOT delivered: notify the municipality by phone."
        )


async def replan(session: AsyncSession, paging: Paging, *, now: datetime) -> bool:
    """A supplement changed the triage: apply it to an escalation nobody has acted on yet.

    `paging.due_at` None: nobody is to be paged; an active escalation stops and its unsent
    pages are cancelled. Otherwise one that has not paged anyone yet is moved to the new plan
    and time, and an alert that had none gets one. Escalations already paging, taken or
    finished are left as they are: who was paged has been paged. True if anything changed.
    """
    alert_id = paging.alert_id
    state = await state_repository.get_by_alert(session, alert_id=alert_id, for_update=True)
    if state is None:
        if paging.due_at is None:
            return False
        await open_escalation(session, paging, now=now)
        return True
    if state.status != EscalationStatus.ACTIVE:
        return False
    if paging.due_at is None:
        state.status = EscalationStatus.STOPPED
        state.next_due_at = None
        await outbox.cancel_unsent(
            session, subject_kind=SUBJECT_KIND, subject_id=alert_id, purposes=PAGING_PURPOSES
        )
        timeline.record(session, alert_id=alert_id, kind=AlertEventKind.STOPPED, at=now)
        return True
    if state.notified_at is not None:
        return False
    state.next_due_at = paging.due_at
    state.scheduled_for = _later(paging.due_at, now)
    state.plan = paging.plan.value
    state.first_contact_ward = paging.first_contact_ward
    await outbox.wake_workers(session)
    return True


def _later(due_at: datetime | None, now: datetime) -> datetime | None:
    """When paging was put off to (working hours), or None for at once."""
    return due_at if due_at is not None and due_at > now else None


async def acknowledge(
    session: AsyncSession,
    *,
    alert_id: uuid.UUID,
    member_id: uuid.UUID | None,
    taken_by: str,
    via_number: str | None = None,
    now: datetime,
) -> bool:
    """Stop the escalation, cancel its unsent pages and tell the others paged that it is
    taken (if the team wants that). False, changing nothing, if it was taken already.

    `taken_by` is the name the others are told; `via_number` the number that took it by SMS
    (the fallback number has no member id). The alert's own status is the caller's
    (`app.alerts.service.acknowledge`).
    """
    state = await state_repository.get_by_alert(session, alert_id=alert_id, for_update=True)
    if state is None or state.status == EscalationStatus.ACKNOWLEDGED:
        return False
    state.status = EscalationStatus.ACKNOWLEDGED
    state.acknowledged_at = now
    state.acknowledged_by = member_id
    state.next_due_at = None
    await outbox.cancel_unsent(
        session, subject_kind=SUBJECT_KIND, subject_id=alert_id, purposes=PAGING_PURPOSES
    )
    await _tell_the_others(
        session, state, member_id=member_id, via_number=via_number, taken_by=taken_by, now=now
    )
    return True


async def status_of(session: AsyncSession, *, alert_id: uuid.UUID) -> EscalationState | None:
    """The escalation of an alert (read only)."""
    return await state_repository.get_by_alert(session, alert_id=alert_id)


async def paged_with_code(
    session: AsyncSession, *, reply_code: str, number: str
) -> EscalationState | None:
    """The newest escalation whose pages carried this reply code to `number`."""
    return await state_repository.paged_with_code(
        session, reply_code=reply_code, number=number, purposes=PAGING_PURPOSES
    )


async def _tell_the_others(
    session: AsyncSession,
    state: EscalationState,
    *,
    member_id: uuid.UUID | None,
    via_number: str | None,
    taken_by: str,
    now: datetime,
) -> None:
    team = await roster_duty.get_team(session, team_id=state.team_id)
    if team is None or not team.tell_others_when_taken:
        return
    paged = await outbox.recipients_of(
        session,
        subject_kind=SUBJECT_KIND,
        subject_id=state.alert_id,
        purposes=PAGING_PURPOSES,
        statuses=(OutboxStatus.SENDING, OutboxStatus.SENT, OutboxStatus.DELIVERED),
    )
    members = await roster_duty.members_by_id(session, [m for _, m in paged if m is not None])
    # The number, the member's own language choice and the member id of each one paged.
    recipients: list[tuple[str, str | None, uuid.UUID | None]] = []
    for number, paged_member in paged:
        if (paged_member is not None and paged_member == member_id) or number == via_number:
            continue
        member = members.get(paged_member) if paged_member else None
        if member is not None and not roster_duty.reachable(member):
            continue
        recipients.append((number, member.language if member else None, paged_member))
    if not recipients:
        return
    municipality = await roster_duty.get_municipality(session, team.municipality_code)
    standard = municipality.written_standard if municipality else None
    outbox.enqueue(
        session,
        messages_for_taken(
            alert_id=state.alert_id,
            municipality_name=municipality.name if municipality else team.municipality_code,
            occurred_at=state.occurred_at,
            taken_by=taken_by,
            recipients=[(n, spoken(choice, standard), m) for n, choice, m in recipients],
            now=now,
        ),
    )
    await outbox.wake_workers(session)
