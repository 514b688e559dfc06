"""The escalation engine's round: moves every escalation whose wait has run out to its next
step (or to its end), and one whose page failed on at once.

Opening, replanning and stopping an escalation are the other domains' use cases, in
`app.escalation.service`; this module is what the worker runs (`runner`). Each move happens
in the caller's transaction and writes its SMS to the outbox, so the state change and the
messages it causes commit together. Which step comes next, when, and whom it reaches are
decided by the pure rules in `policy.rules`; this module only loads, applies what they return
(`NextStep.due_at`, `Exhausted.at`) and stores.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.links import service as member_links
from app.config import Settings
from app.db import isolated
from app.escalation.engine import repository as state_repository
from app.escalation.engine.leader_messages import (
    messages_for_exhaustion,
    messages_for_fatal,
    messages_for_fatal_contact,
    messages_for_late,
    messages_for_leader_urgent,
)
from app.escalation.engine.messages import StepContext, TeamSnapshot, messages_for_step
from app.escalation.engine.models import EscalationPlan, EscalationState, EscalationStatus
from app.escalation.policy import rules
from app.escalation.policy import service as policy_service
from app.i18n import language_of
from app.notify import outbox
from app.notify.models import OutboxMessage
from app.roster.models import Member
from app.roster.rota import duty as roster_duty
from app.timeline import service as timeline
from app.timeline.models import AlertEventKind
from app.triage import service as triage_service

log = logging.getLogger(__name__)

RETRY_LATER = timedelta(minutes=1)


async def advance_due(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """Move every escalation whose wait has run out to its next step (or to its end).

    Policy and roster are read once per team per round: the round has one instant, so every
    escalation of the team sees the same answer. One escalation that cannot advance is
    rolled back to its savepoint and retried later; it never holds up the others.
    """
    due = await state_repository.claim_due(session, now=now, limit=settings.worker.batch_size)
    if not due:
        return 0
    teams: dict[uuid.UUID, TeamSnapshot] = {}
    for state in due:
        state_id, alert_id = state.id, state.alert_id
        failure = "escalation could not advance; retrying later"
        async with isolated(session, log, failure, alert_id=str(alert_id)) as advanced:
            if state.team_id not in teams:
                teams[state.team_id] = await _snapshot(session, team_id=state.team_id, now=now)
            _advance(session, state, teams[state.team_id], now=now, settings=settings)
        if advanced.failed:
            await state_repository.postpone(session, state_id=state_id, until=now + RETRY_LATER)
    await outbox.wake_workers(session)
    return len(due)


def _advance(
    session: AsyncSession,
    state: EscalationState,
    team: TeamSnapshot,
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

    context = StepContext(state, team, link_of)
    fallback_number = team.policy.fallback_number
    leader_plan = state.plan in (EscalationPlan.LEADER_ONLY, EscalationPlan.LEADER_URGENT)
    if leader_plan and _told_the_leader(session, context, now=now):
        return
    window = timedelta(hours=settings.worker.paging_window_hours)
    paging_from = state.scheduled_for or state.occurred_at
    if state.notified_at is None and rules.is_late(paging_from, now=now, window=window):
        # Told to the leader (or else the fallback number) instead of paging; if the team has
        # neither, the alert is paged as usual, because it must never go silent.
        late = messages_for_late(context, fallback_number=fallback_number, now=now)
        if _instead_of_paging(
            session, state, late, EscalationStatus.LATE, AlertEventKind.LATE, now=now
        ):
            return
    following = _following(team.policy, state, now=now)
    if isinstance(following, rules.Exhausted):
        _exhaust(session, state, following, team.policy, context, now=now)
    else:
        _notify(session, state, team.policy, following.position, context, now=now)


def _told_the_leader(session: AsyncSession, context: StepContext, *, now: datetime) -> bool:
    """A fatal alert, or an objected one with suicide risk, goes to the leader (or else the
    fallback number), not the on-duty team; False when the team has neither: it is paged as
    usual rather than go silent."""
    state, team = context.state, context.team
    is_fatal = state.plan == EscalationPlan.LEADER_ONLY
    compose = messages_for_fatal if is_fatal else messages_for_leader_urgent
    to_leader = compose(context, fallback_number=team.policy.fallback_number, now=now)
    told = _instead_of_paging(
        session,
        state,
        to_leader,
        EscalationStatus.LEADER_TOLD,
        AlertEventKind.LEADER_TOLD,
        now=now,
    )
    if is_fatal and state.notified_at is None:  # once, the leader told or the team paged
        _tell_fatal_contact(session, context, now=now)
    if told:
        state.notified_at = now
    return told


async def _snapshot(session: AsyncSession, *, team_id: uuid.UUID, now: datetime) -> TeamSnapshot:
    team = await roster_duty.get_team(session, team_id=team_id)
    assert team is not None  # foreign key
    municipality = await roster_duty.get_municipality(session, team.municipality_code)
    duty, members = await roster_duty.team_view(session, team_id=team.id, at=now)
    view = rules.TeamView(on_duty=duty.on_duty, members=duty.members, leader_id=duty.leader_id)
    triage = await triage_service.table_for(session, municipality_code=team.municipality_code)
    return TeamSnapshot(
        policy=await policy_service.load_policy(session, team_id=team.id),
        team_name=team.name,
        municipality_name=municipality.name if municipality else team.municipality_code,
        view=view,
        members=members,
        fatal_contact=triage.fatal_contact.mobile if triage.fatal_contact else None,
        written_standard=language_of(municipality.written_standard if municipality else None),
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


def _notify(
    session: AsyncSession,
    state: EscalationState,
    policy: rules.Policy,
    position: rules.Position,
    context: StepContext,
    *,
    now: datetime,
) -> None:
    recipients = rules.recipients_at(policy, position, context.team.view)
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
    roles = sorted({context.team.members[m].role for m in recipients.member_ids})
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


def _tell_fatal_contact(session: AsyncSession, context: StepContext, *, now: datetime) -> None:
    """A fatal alert: the municipality's named fatal contact gets the news when the leader
    does, and the alert's timeline says so (without the number)."""
    contact_number = context.team.fatal_contact
    messages = messages_for_fatal_contact(context, contact_number=contact_number, now=now)
    if messages:
        outbox.enqueue(session, messages)
        timeline.record(
            session, alert_id=context.state.alert_id, kind=AlertEventKind.FATAL_CONTACT_TOLD, at=now
        )


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
