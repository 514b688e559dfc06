"""The escalation engine: opens an escalation for a new alert and advances due ones.

Each move happens in the caller's transaction and writes its SMS to the outbox, so the state
change and the messages it causes commit together. Which step comes next, when, and whom it
reaches are decided by the pure rules in `policy.rules`; this module only loads, applies
what they return (`NextStep.due_at`, `Exhausted.at`) and stores.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.links import service as member_links
from app.config import Settings
from app.db import describe_error
from app.errors import DomainError
from app.escalation.engine import repository as state_repository
from app.escalation.engine.messages import (
    PAGING_PURPOSES,
    SUBJECT_KIND,
    StepContext,
    messages_for_exhaustion,
    messages_for_fatal,
    messages_for_late,
    messages_for_step,
    messages_for_taken,
)
from app.escalation.engine.models import EscalationPlan, EscalationState, EscalationStatus
from app.escalation.policy import rules
from app.escalation.policy import service as policy_service
from app.notify import outbox, texts
from app.notify.models import OutboxMessage, OutboxStatus
from app.roster.models import Member
from app.roster.rota import duty as roster_duty
from app.timeline import service as timeline
from app.timeline.models import AlertEventKind

log = logging.getLogger(__name__)


RETRY_LATER = timedelta(minutes=1)


class NoTeamForMunicipality(DomainError):
    """Nobody would be paged: the dispatcher must phone instead, so the alert is refused."""

    status, slug, title = 422, "alert-not-delivered", "The alert was NOT delivered"


async def open_escalation(
    session: AsyncSession,
    *,
    alert_id: uuid.UUID,
    municipality_code: str,
    occurred_at: datetime,
    now: datetime,
    due_at: datetime | None = None,
    plan: EscalationPlan = EscalationPlan.PAGE,
    first_contact_ward: bool = False,
) -> None:
    """Open the escalation of a new alert, due at `due_at` (at once by default: triage may
    put it off to working hours); the worker pages its first step, or tells the leader
    (`LEADER_ONLY`).

    Raises NoTeamForMunicipality (rolling the alert back) when no team receives the
    municipality's alerts: storing an alert that nobody is paged for would lose it silently.
    The first step is left to the worker so intake stays a few cheap statements; the NOTIFY
    sent on commit wakes it without delay.
    """
    team = await roster_duty.team_for_municipality(session, code=municipality_code)
    if team is None:
        log.error("no team receives alerts", extra={"municipality": municipality_code})
        raise NoTeamForMunicipality(
            f"Municipality {municipality_code} has no on-duty team in odvarsel. The alert was "
            "NOT delivered: notify the municipality by phone."
        )
    await state_repository.insert_state(
        session,
        {
            "id": uuid.uuid4(),
            "alert_id": alert_id,
            "team_id": team.id,
            "occurred_at": occurred_at,
            "status": EscalationStatus.ACTIVE.value,
            "pass_index": 0,
            "step_index": 0,
            "next_due_at": due_at or now,
            "scheduled_for": due_at if due_at is not None and due_at > now else None,
            "plan": plan.value,
            "first_contact_ward": first_contact_ward,
            "reply_code": f"{secrets.randbelow(9000) + 1000}",
            "roster_hole_reported": False,
            "started_at": now,
        },
    )
    await outbox.wake_workers(session)


async def replan(
    session: AsyncSession,
    *,
    alert_id: uuid.UUID,
    municipality_code: str,
    occurred_at: datetime,
    now: datetime,
    due_at: datetime | None,
    plan: EscalationPlan,
    first_contact_ward: bool,
) -> bool:
    """A supplement changed the triage: apply it to an escalation nobody has acted on yet.

    `due_at` None: nobody is to be paged; an active escalation stops and its unsent pages are
    cancelled. Otherwise one that has not paged anyone yet is moved to the new plan and time,
    and an alert that had none gets one. Escalations already paging, taken or finished are
    left as they are: who was paged has been paged. True if anything changed.
    """
    state = await state_repository.get_by_alert(session, alert_id=alert_id, for_update=True)
    if state is None:
        if due_at is None:
            return False
        await open_escalation(
            session,
            alert_id=alert_id,
            municipality_code=municipality_code,
            occurred_at=occurred_at,
            now=now,
            due_at=due_at,
            plan=plan,
            first_contact_ward=first_contact_ward,
        )
        return True
    if state.status != EscalationStatus.ACTIVE:
        return False
    if due_at is None:
        state.status = EscalationStatus.STOPPED
        state.next_due_at = None
        await outbox.cancel_unsent(
            session, subject_kind=SUBJECT_KIND, subject_id=alert_id, purposes=PAGING_PURPOSES
        )
        timeline.record(session, alert_id=alert_id, kind=AlertEventKind.STOPPED, at=now)
        return True
    if state.notified_at is not None:
        return False
    state.next_due_at = due_at
    state.scheduled_for = due_at if due_at > now else None
    state.plan = plan.value
    state.first_contact_ward = first_contact_ward
    await outbox.wake_workers(session)
    return True


@dataclass(frozen=True)
class _TeamSnapshot:
    """A team as one round sees it: its policy and who is on duty at the round's instant."""

    policy: rules.Policy
    team_name: str
    municipality_name: str
    view: rules.TeamView
    members: dict[str, Member]


async def advance_due(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """Move every escalation whose wait has run out to its next step (or to its end).

    Policy and roster are read once per team per round: the round has one instant, so every
    escalation of the team sees the same answer. One escalation that cannot advance is
    rolled back to its savepoint and retried later; it never holds up the others.
    """
    due = await state_repository.claim_due(session, now=now, limit=settings.worker.batch_size)
    if not due:
        return 0
    teams: dict[uuid.UUID, _TeamSnapshot] = {}
    for state in due:
        state_id, alert_id = state.id, state.alert_id
        try:
            async with session.begin_nested():
                if state.team_id not in teams:
                    teams[state.team_id] = await _snapshot(session, team_id=state.team_id, now=now)
                _advance(session, state, teams[state.team_id], now=now, settings=settings)
        except Exception as exc:  # one broken escalation must not stop every other alert
            log.error(
                "escalation could not advance; retrying later",
                extra={"alert_id": str(alert_id), **describe_error(exc)},
            )
            await state_repository.postpone(session, state_id=state_id, until=now + RETRY_LATER)
    await outbox.wake_workers(session)
    return len(due)


def _advance(
    session: AsyncSession,
    state: EscalationState,
    team: _TeamSnapshot,
    *,
    now: datetime,
    settings: Settings,
) -> None:
    def link_of(member: Member) -> str:
        return member_links.mint(
            session,
            alert_id=state.alert_id,
            member_id=member.id,
            now=now,
            lifetime=timedelta(hours=settings.links.expiry_hours),
            public_base_url=settings.http.public_base_url,
        )

    context = StepContext(
        alert_id=state.alert_id,
        team_name=team.team_name,
        municipality_name=team.municipality_name,
        occurred_at=state.occurred_at,
        reply_code=state.reply_code,
        link_of=link_of,
        view=team.view,
        members=team.members,
        first_contact_ward=state.first_contact_ward,
    )
    if state.plan == EscalationPlan.LEADER_ONLY and _tell_the_leader(
        session, state, team.policy, context, now=now
    ):
        return
    window = timedelta(hours=settings.worker.paging_window_hours)
    paging_from = state.scheduled_for or state.occurred_at
    late = state.notified_at is None and rules.is_late(paging_from, now=now, window=window)
    if late and _report_late(session, state, team.policy, context, now=now):
        return
    following = _following(team.policy, state, now=now)
    if isinstance(following, rules.Exhausted):
        _exhaust(session, state, following, team.policy, context, now=now)
    else:
        _notify(session, state, team.policy, following.position, context, now=now)


async def _snapshot(session: AsyncSession, *, team_id: uuid.UUID, now: datetime) -> _TeamSnapshot:
    team = await roster_duty.get_team(session, team_id=team_id)
    assert team is not None  # foreign key
    municipality = await roster_duty.get_municipality(session, team.municipality_code)
    duty, members = await roster_duty.team_view(session, team_id=team.id, at=now)
    view = rules.TeamView(on_duty=duty.on_duty, members=duty.members, leader_id=duty.leader_id)
    return _TeamSnapshot(
        policy=await policy_service.load_policy(session, team_id=team.id),
        team_name=team.name,
        municipality_name=municipality.name if municipality else team.municipality_code,
        view=view,
        members=members,
    )


def _following(policy: rules.Policy, state: EscalationState, *, now: datetime) -> rules.Next:
    """What is due now: the first step of a new escalation, else what follows the last one."""
    if state.notified_at is None:
        return rules.NextStep(rules.first_step(policy), now)
    try:
        return rules.after(
            policy,
            rules.Position(state.pass_index, state.step_index),
            notified_at=state.notified_at,
        )
    except ValueError:
        # The policy was edited and this position no longer exists: start it over.
        return rules.NextStep(rules.first_step(policy), now)


def _due_at(following: rules.Next) -> datetime:
    return following.due_at if isinstance(following, rules.NextStep) else following.at


async def escalate_now(
    session: AsyncSession, *, alert_id: uuid.UUID, pass_index: int, step_index: int, now: datetime
) -> bool:
    """An SMS of the step paged last failed: what follows it is due now (`rules.after_failure`).

    Any one failed SMS of the step is enough. The row is locked before the step is compared,
    so a round advancing it meanwhile cannot make a newer step skip its wait.
    """
    state = await state_repository.get_by_alert(session, alert_id=alert_id, for_update=True)
    if (
        state is None
        or state.status != EscalationStatus.ACTIVE
        or state.notified_at is None
        or (state.pass_index, state.step_index) != (pass_index, step_index)
    ):
        return False
    policy = await policy_service.load_policy(session, team_id=state.team_id)
    try:
        following = rules.after_failure(
            policy, rules.Position(pass_index, step_index), failed_at=now
        )
    except ValueError:  # the policy was edited: the round starts it over
        following = rules.NextStep(rules.first_step(policy), now)
    state.next_due_at = _due_at(following)
    await outbox.wake_workers(session)
    return True


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
    recipients: list[tuple[str, texts.Language, uuid.UUID | None]] = []
    for number, paged_member in paged:
        if (paged_member is not None and paged_member == member_id) or number == via_number:
            continue
        member = members.get(paged_member) if paged_member else None
        if member is not None and not roster_duty.reachable(member):
            continue
        language: texts.Language = "en" if member is not None and member.language == "en" else "nb"
        recipients.append((number, language, paged_member))
    if not recipients:
        return
    municipality = await roster_duty.get_municipality(session, team.municipality_code)
    outbox.enqueue(
        session,
        messages_for_taken(
            alert_id=state.alert_id,
            municipality_name=municipality.name if municipality else team.municipality_code,
            occurred_at=state.occurred_at,
            taken_by=taken_by,
            recipients=recipients,
            now=now,
        ),
    )
    await outbox.wake_workers(session)


def _notify(
    session: AsyncSession,
    state: EscalationState,
    policy: rules.Policy,
    position: rules.Position,
    context: StepContext,
    *,
    now: datetime,
) -> None:
    recipients = rules.recipients_at(policy, position, context.view)
    if recipients.nobody:
        log.error("escalation step reaches nobody", extra={"alert_id": str(state.alert_id)})
    if recipients.unknown_member_ids:
        log.warning(
            "escalation step names members no longer in the team",
            extra={"alert_id": str(state.alert_id), "count": len(recipients.unknown_member_ids)},
        )
    messages = messages_for_step(
        context,
        recipients,
        position=position,
        report_hole=recipients.roster_hole and not state.roster_hole_reported,
        now=now,
    )
    outbox.enqueue(session, messages)
    roles = sorted({context.members[m].role for m in recipients.member_ids})
    timeline.record(
        session,
        alert_id=state.alert_id,
        kind=AlertEventKind.PAGED,
        at=now,
        step=position.step_index + 1,
        round=position.pass_index + 1,
        roles=[*roles, *(["fallback"] if recipients.fallback_number else [])],
    )
    state.roster_hole_reported = state.roster_hole_reported or recipients.roster_hole
    state.pass_index, state.step_index = position.pass_index, position.step_index
    state.notified_at = now
    state.next_due_at = _due_at(rules.after(policy, position, notified_at=now))


def _exhaust(
    session: AsyncSession,
    state: EscalationState,
    exhausted: rules.Exhausted,
    policy: rules.Policy,
    context: StepContext,
    *,
    now: datetime,
) -> None:
    fallback = policy.fallback_number if exhausted.page_fallback else None
    outbox.enqueue(session, messages_for_exhaustion(context, fallback_number=fallback, now=now))
    state.status = EscalationStatus.EXHAUSTED
    state.next_due_at = None
    timeline.record(session, alert_id=state.alert_id, kind=AlertEventKind.EXHAUSTED, at=now)
    log.warning("escalation exhausted", extra={"alert_id": str(state.alert_id)})


def _tell_the_leader(
    session: AsyncSession,
    state: EscalationState,
    policy: rules.Policy,
    context: StepContext,
    *,
    now: datetime,
) -> bool:
    """A fatal alert goes to the leader (or else the fallback number), not the on-duty team;
    False if the team has neither, and then it is paged as usual rather than go silent."""
    messages = messages_for_fatal(context, fallback_number=policy.fallback_number, now=now)
    if not _instead_of_paging(
        session, state, messages, EscalationStatus.LEADER_TOLD, AlertEventKind.LEADER_TOLD, now=now
    ):
        return False
    state.notified_at = now
    return True


def _instead_of_paging(
    session: AsyncSession,
    state: EscalationState,
    messages: list[OutboxMessage],
    status: EscalationStatus,
    event: AlertEventKind,
    *,
    now: datetime,
) -> bool:
    """Send `messages` instead of paging and end the escalation as `status`; False, changing
    nothing, when there is nobody to send them to."""
    if not messages:
        log.error(
            "nobody to tell instead of paging: paging",
            extra={"alert_id": str(state.alert_id), "status": status.value},
        )
        return False
    outbox.enqueue(session, messages)
    state.status = status
    state.next_due_at = None
    timeline.record(session, alert_id=state.alert_id, kind=event, at=now)
    log.warning(
        "told instead of paging", extra={"alert_id": str(state.alert_id), "status": status.value}
    )
    return True


def _report_late(
    session: AsyncSession,
    state: EscalationState,
    policy: rules.Policy,
    context: StepContext,
    *,
    now: datetime,
) -> bool:
    """Tell the leader (or else the fallback number) instead of paging; False if the team has
    neither, and then the alert is paged as usual, because it must never go silent."""
    messages = messages_for_late(context, fallback_number=policy.fallback_number, now=now)
    return _instead_of_paging(
        session, state, messages, EscalationStatus.LATE, AlertEventKind.LATE, now=now
    )
