"""Opening the follow-up case of an alert that was taken.

The case copies its steps from the municipality's template for the alert's triage (survivor,
or fatal), so a template changed later never changes it. Reading a case is `views`, changing
it `changes`; like every service here this one never commits: the caller owns the
transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import repository as alerts_repository
from app.alerts import sealing
from app.alerts.anonymity import to_the_hour
from app.alerts.models import Alert
from app.consent.enums import ConsentState, DataCategory
from app.followup import anonymous
from app.followup.cases import repository
from app.followup.cases.actor import SYSTEM
from app.followup.cases.crisis import Crisis, mark_crisis, serious_crisis
from app.followup.cases.models import CaseEventKind, FollowupCase, FollowupStep
from app.followup.state import CaseState, StepState
from app.followup.template_schema import Condition, FollowupTemplate, OwnerRole, TemplateKind
from app.followup.templates import plan
from app.followup.templates.service import template_for
from app.informing import service as informing
from app.notify import outbox
from app.overdose.enums import AlertKind
from app.privacy.crypto import FieldCipher
from app.roster.models import Member
from app.roster.rota import duty as roster_duty
from app.triage.rules import TriageAction

CONDITION_CATEGORIES = (DataCategory.SITUATION, DataCategory.BYSTANDERS)
"""What the conditions are read from (home, children, others present; relatives)."""


async def open_case_for_alert(
    session: AsyncSession,
    *,
    alert_id: uuid.UUID,
    taken_by: uuid.UUID | None,
    now: datetime,
    cipher: FieldCipher,
    public_base_url: str,
) -> FollowupCase | None:
    """Open the follow-up case of an alert that was just taken (by member `taken_by`; None:
    the fallback number took it), in the caller's transaction.

    One case per alert: the case already open is returned. None for an unknown alert and an
    anonymous (objected) one, on which nobody can act, unless it is fatal: that opens the
    anonymous fatal case (`_open_anonymous_fatal`); any other alert opens a case from its
    template (`_open_from_template`). The leader is told by SMS with a link to the case
    (`public_base_url`).
    """
    existing = await repository.case_of_alert(session, alert_id=alert_id)
    if existing is not None:
        return existing
    alert = await alerts_repository.get_by_id(session, alert_id=alert_id)
    if alert is None:
        return None
    if alert.consent_state == ConsentState.OBJECTED:
        if alert.kind != AlertKind.FATAL:
            return None
        return await _open_anonymous_fatal(session, alert, now=now, url=public_base_url)
    return await _open_from_template(
        session, alert, taken_by=taken_by, now=now, cipher=cipher, url=public_base_url
    )


async def _open_from_template(
    session: AsyncSession,
    alert: Alert,
    *,
    taken_by: uuid.UUID | None,
    now: datetime,
    cipher: FieldCipher,
    url: str,
) -> FollowupCase:
    """The case of an alert with identity. The template follows the triage (`fatal`, else
    survivor); its steps fall to the team's leader and the taker, and those whose condition
    does not hold are left out (`_conditions`). A survivor with repeated overdoses makes the
    case a serious crisis (`app.followup.cases.crisis`)."""
    kind = (
        TemplateKind.FATAL if alert.triage_action == TriageAction.FATAL else TemplateKind.SURVIVOR
    )
    conditions = await _conditions(session, alert, cipher)
    start = await _start(session, alert, kind, taker=taken_by, opened_at=now, conditions=conditions)
    told_at = _told_at(alert, now=now)
    planned = plan.plan_steps(
        start.template,
        conditions,
        people=start.people,
        alert_at=alert.occurred_at,
        opened_at=now,
        told_at=told_at,
    )
    crisis = await serious_crisis(
        session,
        alert,
        start.case,
        start.template,
        conditions,
        people=start.people,
        after=len(planned),
        now=now,
        told_at=told_at,
    )
    return await _store(session, start.case, planned, crisis, leader=start.leader, now=now, url=url)


async def _open_anonymous_fatal(
    session: AsyncSession, alert: Alert, *, now: datetime, url: str
) -> FollowupCase:
    """The case of an objected fatal alert: the fatal template's steps that need no identity
    (`app.followup.anonymous`), to the leader, with no conditions read and its times to the
    hour like the alert's (docs/rules.md, "Objected fatal alerts: the anonymous case")."""
    hour = to_the_hour(now)
    start = await _start(
        session, alert, TemplateKind.FATAL, taker=None, opened_at=hour, conditions={}
    )
    planned = plan.plan_steps(
        anonymous.anonymous_template(start.template),
        {},
        people=start.people,
        alert_at=alert.occurred_at,
        opened_at=hour,
        told_at=hour,
    )
    return await _store(session, start.case, planned, None, leader=start.leader, now=hour, url=url)


@dataclass(frozen=True, slots=True)
class _Start:
    """A new case and what it starts from."""

    case: FollowupCase
    template: FollowupTemplate
    leader: Member | None
    """The team's leader, if active (read once: the steps' owner and the crisis SMS)."""
    people: plan.RoleHolders


async def _start(
    session: AsyncSession,
    alert: Alert,
    kind: TemplateKind,
    *,
    taker: uuid.UUID | None,
    opened_at: datetime,
    conditions: dict[Condition, bool],
) -> _Start:
    """The alert's case of `kind` from the municipality's template, owned by whoever took the
    alert (`taker`; None: the team's leader); an objected alert's case is anonymous."""
    template, source = await template_for(
        session, municipality_code=alert.municipality_code, kind=kind
    )
    team = await roster_duty.team_for_municipality(session, code=alert.municipality_code)
    leader = await _active_leader(session, team.leader_member_id if team else None)
    people = plan.RoleHolders(leader=leader.id if leader else None, taker=taker)
    case = FollowupCase(
        alert_id=alert.id,
        municipality_code=alert.municipality_code,
        team_id=team.id if team else None,
        kind=kind,
        state=CaseState.OPEN,
        template_name=template.name,
        template_source=source,
        owner_member_id=people.holder(OwnerRole.TAKER),
        alert_at=alert.occurred_at,
        opened_at=opened_at,
        conditions={c.value: held for c, held in conditions.items()},
        anonymous=alert.consent_state == ConsentState.OBJECTED,
    )
    return _Start(case=case, template=template, leader=leader, people=people)


def _told_at(alert: Alert, *, now: datetime) -> datetime:
    """When the first person responsible for the alert was told: when triage said (the page,
    or the leader told of a fatal alert), or when it was taken, if that came first."""
    page_at = alert.triage_page_at
    return now if page_at is None else min(page_at, now)


async def _conditions(
    session: AsyncSession, alert: Alert, cipher: FieldCipher
) -> dict[Condition, bool]:
    """The template's conditions, read from the alert's personal values without an access-log
    entry (the system reads them, nobody is shown them); the case keeps only the booleans."""
    duties = await informing.duties_of(session, alert_id=alert.id)
    return plan.evaluate_conditions(
        sealing.personal_values(cipher, alert, CONDITION_CATEGORIES),
        age_band=alert.age_band,
        inform_person_required=alert.inform_person_required,
        open_inform_duty=any(d.recorded_at is None for d in duties),
    )


async def _store(
    session: AsyncSession,
    case: FollowupCase,
    planned: list[plan.PlannedStep],
    crisis: Crisis | None,
    *,
    leader: Member | None,
    now: datetime,
    url: str,
) -> FollowupCase:
    """Add the case, its steps and its first events in a savepoint: a case opened meanwhile
    for the same alert (its unique alert id) wins, and is the one returned."""
    extra = crisis.extra if crisis else []
    try:
        async with session.begin_nested():
            session.add(case)
            await session.flush()  # the unique alert id: a case opened meanwhile wins
            session.add_all(_step_row(case.id, p, now=now) for p in [*planned, *extra])
            repository.add_event(
                session, case_id=case.id, kind=CaseEventKind.OPENED, at=now, by=SYSTEM
            )
            if crisis is not None:
                await mark_crisis(
                    session, case, extra, window=crisis.window, leader=leader, now=now, url=url
                )
            await session.flush()
    except IntegrityError:
        opened = await repository.case_of_alert(session, alert_id=case.alert_id)
        if opened is None:
            raise
        return opened
    await outbox.wake_workers(session)
    return case


async def _active_leader(session: AsyncSession, leader_id: uuid.UUID | None) -> Member | None:
    """The team's leader, if active (read once: the steps' owner and the crisis SMS)."""
    if leader_id is None:
        return None
    member = (await roster_duty.members_by_id(session, [leader_id])).get(leader_id)
    return member if member is not None and member.active else None


def _step_row(case_id: uuid.UUID, planned: plan.PlannedStep, *, now: datetime) -> FollowupStep:
    step = planned.template
    left_out = planned.state is StepState.NOT_APPLICABLE
    return FollowupStep(
        case_id=case_id,
        position=planned.position,
        key=step.key,
        title=step.title,
        guidance=step.guidance,
        kind=step.kind,
        required=step.required,
        condition=step.condition.value if step.condition else None,
        owner_role=step.owner,
        owner_member_id=planned.owner_member_id,
        companion_role=step.companion.value if step.companion else None,
        companion_member_id=planned.companion_member_id,
        not_reached_resolves=step.not_reached_resolves,
        retry_hours=step.retry_hours,
        remind_before_hours=planned.remind_before.total_seconds() / 3600,
        state=planned.state,
        active=planned.active,
        deadline=planned.deadline,
        due_at_once=planned.due_at_once,
        after_step=step.after.step if step.after else None,
        after_same_working_day=bool(step.after and step.after.same_working_day),
        after_hours=step.after.hours if step.after else None,
        asks=step.asks.value if step.asks else None,
        remind_at=planned.remind_at,
        next_due_at=planned.next_due_at,
        outcome=plan.CONDITION_NOT_MET if left_out else None,
        recorded_by=SYSTEM if left_out else None,
        recorded_at=now if left_out else None,
    )
