"""The escalation engine: starts an escalation for a new alert and advances due ones.

Each move happens in the caller's transaction and writes its SMS to the outbox, so the state
change and the messages it causes commit together. Which step comes next and who it reaches
are decided by the pure rules in `policy`; this module only loads, applies and stores.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import repository as alerts_repository
from app.config import Settings
from app.errors import DomainError
from app.escalation import policy as rules
from app.escalation import service as policy_service
from app.escalation import state_repository
from app.escalation.messages import StepContext, messages_for_exhaustion, messages_for_step
from app.escalation.state_models import EscalationState, EscalationStatus
from app.notify import outbox
from app.roster import repository as roster_repository
from app.roster import service as roster_service

log = logging.getLogger(__name__)


class NoTeamForMunicipality(DomainError):
    """Nobody would be paged: the dispatcher must phone instead, so the alert is refused."""

    status, slug, title = 422, "alert-not-delivered", "The alert was NOT delivered"


async def start(
    session: AsyncSession,
    *,
    alert_id: uuid.UUID,
    municipality_code: str,
    occurred_at: datetime,
    now: datetime,
    settings: Settings,
) -> EscalationState:
    """Open the escalation of a new alert and notify its first step at once.

    Raises NoTeamForMunicipality (rolling the alert back) when no team receives the
    municipality's alerts: storing an alert that nobody is paged for would lose it silently.
    """
    team = await roster_service.team_for_municipality(session, code=municipality_code)
    if team is None:
        log.error("no team receives alerts", extra={"municipality": municipality_code})
        raise NoTeamForMunicipality(
            f"Municipality {municipality_code} has no on-duty team in odvarsel. The alert was "
            "NOT delivered: notify the municipality by phone."
        )
    policy = await policy_service.load_policy(session, team_id=team.id)
    position = rules.first_step(policy)
    state = EscalationState(
        alert_id=alert_id,
        team_id=team.id,
        status=EscalationStatus.ACTIVE,
        pass_index=position.pass_index,
        step_index=position.step_index,
        notified_at=now,
        reply_code=f"{secrets.randbelow(9000) + 1000}",
        started_at=now,
    )
    state_repository.add(session, state)
    await _notify(
        session, state, policy, position, occurred_at=occurred_at, now=now, settings=settings
    )
    await outbox.wake_workers(session)
    return state


async def advance_due(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """Move every escalation whose wait has run out to its next step (or to its end)."""
    due = await state_repository.claim_due(session, now=now, limit=settings.worker.batch_size)
    for state in due:
        policy = await policy_service.load_policy(session, team_id=state.team_id)
        current = rules.Position(state.pass_index, state.step_index)
        try:
            following = rules.after(policy, current, notified_at=now)
        except ValueError:
            # The policy was edited and this position no longer exists: start it over.
            following = rules.NextStep(rules.first_step(policy), now)
        occurred_at = await alerts_repository.occurred_at_of(session, alert_id=state.alert_id)
        if isinstance(following, rules.Exhausted):
            await _exhaust(session, state, policy, occurred_at=occurred_at, now=now)
        else:
            await _notify(
                session,
                state,
                policy,
                following.position,
                occurred_at=occurred_at,
                now=now,
                settings=settings,
            )
    if due:
        await outbox.wake_workers(session)
    return len(due)


async def escalate_now(
    session: AsyncSession, *, alert_id: uuid.UUID, pass_index: int, step_index: int, now: datetime
) -> bool:
    """A message of the current step failed: make the escalation due at once."""
    state = await state_repository.get_by_alert(session, alert_id=alert_id)
    if (
        state is None
        or state.status != EscalationStatus.ACTIVE
        or (state.pass_index, state.step_index) != (pass_index, step_index)
    ):
        return False
    state.next_due_at = now
    await outbox.wake_workers(session)
    return True


async def acknowledge(
    session: AsyncSession, *, alert_id: uuid.UUID, member_id: uuid.UUID | None, now: datetime
) -> bool:
    """Stop the escalation: no more SMS for this alert. False if it was not active."""
    state = await state_repository.get_by_alert(session, alert_id=alert_id, for_update=True)
    if state is None or state.status == EscalationStatus.ACKNOWLEDGED:
        return False
    state.status = EscalationStatus.ACKNOWLEDGED
    state.acknowledged_at = now
    state.acknowledged_by = member_id
    state.next_due_at = None
    await outbox.cancel_unsent_for_alert(session, alert_id)
    await alerts_repository.mark_acknowledged(session, alert_id=alert_id, at=now)
    return True


async def _context(
    session: AsyncSession, state: EscalationState, occurred_at: datetime, now: datetime
) -> StepContext:
    team = await roster_repository.get_team(session, team_id=state.team_id)
    assert team is not None  # foreign key
    municipality = await roster_repository.get_municipality(session, team.municipality_code)
    view, members = await roster_service.team_view(session, team_id=team.id, at=now)
    return StepContext(
        alert_id=state.alert_id,
        team_name=team.name,
        municipality_name=municipality.name if municipality else team.municipality_code,
        occurred_at=occurred_at,
        reply_code=state.reply_code,
        view=view,
        members=members,
    )


async def _notify(
    session: AsyncSession,
    state: EscalationState,
    policy: rules.Policy,
    position: rules.Position,
    *,
    occurred_at: datetime,
    now: datetime,
    settings: Settings,
) -> None:
    context = await _context(session, state, occurred_at, now)
    recipients = rules.recipients_at(policy, position, context.view)
    if recipients.nobody:
        log.error("escalation step reaches nobody", extra={"alert_id": str(state.alert_id)})
    messages = messages_for_step(
        context,
        recipients,
        position=position,
        link=f"{settings.http.public_base_url.rstrip('/')}/a/{state.alert_id.hex[:12]}",
        report_hole=recipients.roster_hole and not state.roster_hole_reported,
        now=now,
    )
    outbox.enqueue(session, messages)
    state.roster_hole_reported = state.roster_hole_reported or recipients.roster_hole
    state.pass_index, state.step_index = position.pass_index, position.step_index
    state.notified_at = now
    state.next_due_at = now + timedelta(minutes=rules.step_at(policy, position).delay_minutes)


async def _exhaust(
    session: AsyncSession,
    state: EscalationState,
    policy: rules.Policy,
    *,
    occurred_at: datetime,
    now: datetime,
) -> None:
    context = await _context(session, state, occurred_at, now)
    outbox.enqueue(
        session, messages_for_exhaustion(context, fallback_number=policy.fallback_number, now=now)
    )
    state.status = EscalationStatus.EXHAUSTED
    state.next_due_at = None
    log.warning("escalation exhausted", extra={"alert_id": str(state.alert_id)})
