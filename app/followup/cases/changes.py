"""Changing follow-up cases: recording steps, assigning them, handing a case over, closing.

Which transitions are legal is decided by the pure `state` module and due times by
`deadlines`; this module loads, applies and stores, in the caller's transaction. Assigning
and closing early are the leader's (the case system acts for the leader unless it names
another member as `by_member_id`; a signed-in member is the leader if they lead the team).

Every free text (outcome, note, reason) is refused with a national id, a phone number or the
person's name from the case's alert: the check of answers to the crew (`personal_data_in`).
These checks, and who acts, are `checks`. A note is kept sealed (`notes`); each answer shows
it only to a reader with details access.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import FieldProblem, InvalidFields
from app.followup import deadlines, serious_event
from app.followup.cases import checks, notes, repository
from app.followup.cases.actor import CaseScope
from app.followup.cases.models import CaseEventKind, FollowupCase, FollowupStep
from app.followup.cases.schemas import (
    CaseCloseIn,
    CaseOut,
    CaseReassignIn,
    StepAssignIn,
    StepRecordIn,
)
from app.followup.cases.views import case_for
from app.followup.serious_event import Question
from app.followup.state import (
    CaseAction,
    CaseState,
    IllegalTransition,
    StepAction,
    StepState,
    StepStatus,
    case_after,
    step_after,
    unresolved_required,
)
from app.triage import service as triage_service


def _set_timer(step: FollowupStep, deadline: datetime, *, now: datetime) -> None:
    """A new deadline, told afresh: its own reminder and overdue notice."""
    lead = timedelta(hours=step.remind_before_hours)
    step.deadline = deadline
    step.due_at_once = False  # the deadline is no longer the one the case opened with
    step.remind_at = deadlines.remind_at(deadline, remind_before=lead, now=now)
    step.reminded_at = None
    step.overdue_told_at = None
    step.next_due_at = deadlines.next_due_at(deadlines.Timer(deadline, step.remind_at))


def _stop_timer(step: FollowupStep) -> None:
    step.active = False
    step.remind_at = None
    step.next_due_at = None


async def record_step(
    scope: CaseScope, *, case_id: uuid.UUID, step_key: str, record: StepRecordIn
) -> CaseOut:
    """Record what became of a step (done, not reached, not applicable) or reopen it.

    409 for a transition the state machine refuses (a done step recorded again, any change on
    a closed case); 422 for personal data in the text, a missing reason or a bad next
    attempt. The case closes when this resolves its last required step.
    """
    session, now = scope.session, scope.now
    case = await checks.open_for_change(scope, case_id, CaseAction.RECORD_STEP)
    acting = await checks.acting_on(session, case, scope.actor)
    steps = await repository.steps_of(session, case_id=case.id, for_update=True)
    step = checks.step_of(steps, case_id, step_key)
    await checks.no_personal_data(scope, case, outcome=record.outcome, note=record.note)
    action = record.action
    status = _status_after(step, record)
    if action is StepAction.DONE and step.asks is not None:
        step.answer = record.answer.value if record.answer else None
        step.helsetilsynet_notified = record.helsetilsynet_notified
    _next_attempt(step, record, stays_active=status.active, now=now)
    step.state = status.state
    step.active = status.active
    if not status.active:
        _stop_timer(step)
    if action is StepAction.NOT_REACHED:
        step.attempts += 1
    step.outcome = record.outcome
    # The note is sealed here, and so is its event's (the same token, below).
    step.note_sealed = notes.seal(scope.cipher, case_id=case.id, note=record.note)
    step.recorded_by, step.recorded_by_member_id = acting.label, acting.member_id
    step.recorded_at = now
    kind = CaseEventKind.REOPENED if action is StepAction.REOPEN else CaseEventKind(action.value)
    repository.add_event(
        session,
        case_id=case.id,
        kind=kind,
        at=now,
        by=acting.label,
        step_key=step.key,
        outcome=record.outcome,
        note_sealed=step.note_sealed,
        deadline=step.deadline if status.active else None,
    )
    if status.state is StepState.DONE:
        await _follow(session, case, steps, step, now=now)
    if not unresolved_required((s.required, s.active) for s in steps):
        _close(session, case, steps, CaseAction.CLOSE, by=acting.label, now=now)
    return await case_for(scope, case, steps=steps)


def _status_after(step: FollowupStep, record: StepRecordIn) -> StepStatus:
    """What `record` makes of the step: 409 for a transition the state machine refuses, 422
    for a missing reason or a serious-event answer that does not fit."""
    if record.action is StepAction.NOT_APPLICABLE and record.outcome is None:
        raise InvalidFields([FieldProblem(field="outcome", reason="say why it does not apply")])
    try:
        status = step_after(
            StepState(step.state), record.action, not_reached_resolves=step.not_reached_resolves
        )
    except IllegalTransition as exc:
        raise checks.illegal(exc) from exc
    problems = serious_event.record_problems(
        Question(step.asks) if step.asks else None,
        done=record.action is StepAction.DONE,
        answer=record.answer,
        notified=record.helsetilsynet_notified,
    )
    if problems:
        raise InvalidFields([FieldProblem(field=f, reason=r) for f, r in problems])
    return status


async def _follow(
    session: AsyncSession,
    case: FollowupCase,
    steps: list[FollowupStep],
    done: FollowupStep,
    *,
    now: datetime,
) -> None:
    """The open steps that follow `done` (their template's `after`) get their deadline from
    its completion now (docs/rules.md, "Documentation as it happens"), told afresh."""
    following = [
        s for s in steps if s.after_step == done.key and s.active and s.state == StepState.OPEN
    ]
    if not following:
        return
    table = await triage_service.table_for(session, municipality_code=case.municipality_code)
    for step in following:
        deadline = deadlines.after_step_deadline(
            now,
            same_working_day=step.after_same_working_day,
            hours=step.after_hours,
            working=table.working_hours,
        )
        _set_timer(step, deadline, now=now)
        repository.add_event(
            session,
            case_id=case.id,
            kind=CaseEventKind.DEADLINE_SET,
            at=now,
            by=None,
            step_key=step.key,
            outcome=f"{done.key} done",
            deadline=deadline,
        )


def _next_attempt(
    step: FollowupStep, record: StepRecordIn, *, stays_active: bool, now: datetime
) -> None:
    """A step still active after `not_reached` or `reopen` gets its next deadline (the one
    asked for, or the step's retry hours from now); 422 for a time asked for otherwise."""
    retries = stays_active and record.action in (StepAction.NOT_REACHED, StepAction.REOPEN)
    if record.next_attempt_at is not None and not retries:
        raise InvalidFields(
            [FieldProblem(field="next_attempt_at", reason="only for an attempt still to come")]
        )
    if not retries:
        return
    try:
        deadline = deadlines.next_attempt(
            now, retry_hours=step.retry_hours, requested=record.next_attempt_at
        )
    except ValueError as exc:
        raise InvalidFields([FieldProblem(field="next_attempt_at", reason=str(exc))]) from exc
    _set_timer(step, deadline, now=now)


def _close(
    session: AsyncSession,
    case: FollowupCase,
    steps: list[FollowupStep],
    action: CaseAction,
    *,
    by: str,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Close the case; steps still open (optional ones, or all when closed early) stop."""
    try:
        closed = case_after(
            CaseState(case.state),
            action,
            unresolved_required=0
            if action is CaseAction.CLOSE_EARLY
            else unresolved_required((s.required, s.active) for s in steps),
        )
    except IllegalTransition as exc:
        raise checks.illegal(exc) from exc
    for step in steps:
        _stop_timer(step)
    case.state = closed
    case.closed_at, case.closed_by, case.close_reason = now, by, reason
    kind = CaseEventKind.CLOSED if closed is CaseState.CLOSED else CaseEventKind.CLOSED_EARLY
    repository.add_event(session, case_id=case.id, kind=kind, at=now, by=by, outcome=reason)


async def close_case(scope: CaseScope, *, case_id: uuid.UUID, close: CaseCloseIn) -> CaseOut:
    """The leader closes the case early, with a reason (403 for anyone else)."""
    case = await checks.open_for_change(scope, case_id, CaseAction.CLOSE_EARLY)
    acting = await checks.leading(scope, case, to="closes a case early")
    await checks.no_personal_data(scope, case, reason=close.reason)
    steps = await repository.steps_of(scope.session, case_id=case.id, for_update=True)
    _close(
        scope.session,
        case,
        steps,
        CaseAction.CLOSE_EARLY,
        by=acting.label,
        now=scope.now,
        reason=close.reason,
    )
    return await case_for(scope, case, steps=steps)


async def assign_step(
    scope: CaseScope, *, case_id: uuid.UUID, step_key: str, assignment: StepAssignIn
) -> CaseOut:
    """The leader gives a step an owner and/or a companion (a field left out is unchanged,
    `null` unassigns). A resolved step is not reassigned (409)."""
    session = scope.session
    case = await checks.open_for_change(scope, case_id, CaseAction.ASSIGN)
    acting = await checks.leading(scope, case, to="assigns the follow-up")
    steps = await repository.steps_of(session, case_id=case.id, for_update=True)
    step = checks.step_of(steps, case_id, step_key)
    if not step.active:
        raise checks.IllegalCaseChange("the step is resolved: reopen it to assign it")
    given = assignment.model_fields_set
    owner = assignment.owner_member_id if "owner_member_id" in given else step.owner_member_id
    companion = (
        assignment.companion_member_id
        if "companion_member_id" in given
        else step.companion_member_id
    )
    named = {"owner_member_id": owner, "companion_member_id": companion}
    await checks.team_members(
        session, case, {f: m for f, m in named.items() if f in given and m is not None}
    )
    if owner is not None and owner == companion:
        raise InvalidFields(
            [FieldProblem(field="companion_member_id", reason="the companion is someone else")]
        )
    for which, before, after in (
        ("owner", step.owner_member_id, owner),
        ("companion", step.companion_member_id, companion),
    ):
        if before != after:
            repository.add_event(
                session,
                case_id=case.id,
                kind=CaseEventKind.ASSIGNED,
                at=scope.now,
                by=acting.label,
                step_key=step.key,
                outcome=which,
                member_id=after,
            )
    step.owner_member_id, step.companion_member_id = owner, companion
    return await case_for(scope, case, steps=steps)


async def reassign_case(
    scope: CaseScope, *, case_id: uuid.UUID, reassign: CaseReassignIn
) -> CaseOut:
    """The leader hands the case to another member (holidays, sickness): the case and every
    unresolved step that was the old owner's, as owner or companion, go to the new one."""
    session = scope.session
    case = await checks.open_for_change(scope, case_id, CaseAction.ASSIGN)
    acting = await checks.leading(scope, case, to="assigns the follow-up")
    new = (
        await checks.team_member(session, case, reassign.owner_member_id, field="owner_member_id")
    ).id
    old = case.owner_member_id
    steps = await repository.steps_of(session, case_id=case.id, for_update=True)
    for step in steps:
        if not step.active or old is None:
            continue
        if step.owner_member_id == old:
            step.owner_member_id = new
        if step.companion_member_id == old:
            step.companion_member_id = new
        if step.companion_member_id == step.owner_member_id:
            step.companion_member_id = None  # nobody accompanies themselves: assign another
    case.owner_member_id = new
    repository.add_event(
        session,
        case_id=case.id,
        kind=CaseEventKind.REASSIGNED,
        at=scope.now,
        by=acting.label,
        member_id=new,
    )
    return await case_for(scope, case, steps=steps)
