"""Reading follow-up cases: the list (overdue first) and a case with its steps and history.

No personal data of the person: steps, deadlines, staff names. A note's text only for a
reader with details access (`access.note_reader`), others learn that it exists (`notes`). A
case of another municipality is answered as one that does not exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.municipalities import codes_filter
from app.errors import NotFound
from app.followup import deadlines, serious_event
from app.followup.cases import access, notes, repository
from app.followup.cases.actor import Actor, CaseScope
from app.followup.cases.models import FollowupCase, FollowupStep
from app.followup.cases.schemas import CaseEventOut, CaseOut, CaseSummary, MemberRef, StepOut
from app.followup.serious_event import Answer, Question
from app.followup.state import CaseState, StepState
from app.followup.template_schema import OwnerRole, StepKind
from app.privacy.crypto import FieldCipher
from app.roster.models import Member
from app.roster.rota import duty as roster_duty


async def list_cases(
    session: AsyncSession,
    *,
    actor: Actor,
    municipality: str | None,
    state: CaseState | None,
    now: datetime,
    offset: int,
    limit: int,
) -> list[CaseSummary]:
    """The actor's municipalities' cases, overdue first, then by the next deadline."""
    codes = codes_filter(actor.municipalities)
    if municipality is not None:
        if municipality not in actor.municipalities:
            raise NotFound(f"No municipality {municipality} among yours.")
        codes = [municipality]
    rows = await repository.list_cases(
        session,
        municipalities=codes,
        states=[state.value] if state else [s.value for s in CaseState],
        now=now,
        offset=offset,
        limit=limit,
    )
    members = await _members(session, (c.owner_member_id for c, *_ in rows))
    return [
        _summary(case, members, next_deadline=next_deadline, active=active, overdue=overdue)
        for case, next_deadline, active, overdue in rows
    ]


async def get_case(scope: CaseScope, *, case_id: uuid.UUID) -> CaseOut:
    case = await find_case(scope.session, case_id, scope.actor)
    return await case_for(scope, case)


async def case_for(
    scope: CaseScope, case: FollowupCase, *, steps: list[FollowupStep] | None = None
) -> CaseOut:
    """The case as the scope's actor may see it: the notes' text only with details access."""
    session = scope.session
    await session.flush()
    if steps is None:
        steps = await repository.steps_of(session, case_id=case.id)
    reader = await access.note_reader(session, scope.actor, case, steps, scope.cipher)
    return await case_out(session, case, now=scope.now, steps=steps, reader=reader)


async def case_out(
    session: AsyncSession,
    case: FollowupCase,
    *,
    now: datetime,
    steps: list[FollowupStep] | None = None,
    reader: FieldCipher | None = None,
) -> CaseOut:
    """The case with its steps and history; `steps`: all of the case's, by position, when the
    caller has them loaded already (a change). `reader`: the cipher to open the notes with,
    for a reader with details access; None: a note is only said to exist (`has_note`)."""
    await session.flush()
    if steps is None:
        steps = await repository.steps_of(session, case_id=case.id)
    events = await repository.events_of(session, case_id=case.id)
    members = await _members(
        session,
        [
            case.owner_member_id,
            *(s.owner_member_id for s in steps),
            *(s.companion_member_id for s in steps),
        ],
    )
    active = [s for s in steps if s.active]
    summary = _summary(
        case,
        members,
        next_deadline=min((s.deadline for s in active), default=None),
        active=len(active),
        overdue=sum(1 for s in active if now >= s.deadline),
    )
    return CaseOut(
        **summary.model_dump(),
        closed_at=case.closed_at,
        closed_by=case.closed_by,
        close_reason=case.close_reason,
        steps=[_step_out(s, members, now=now, reader=reader) for s in steps],
        # An event's columns carry over by name; only its sealed note is opened, if at all.
        events=[
            CaseEventOut.model_validate(
                {
                    **e.model_dump(),
                    "note": notes.shown(reader, case_id=case.id, token=e.note_sealed),
                    "has_note": e.note_sealed is not None,
                }
            )
            for e in events
        ],
    )


async def find_case(
    session: AsyncSession, case_id: uuid.UUID, actor: Actor, *, for_update: bool = False
) -> FollowupCase:
    """The case, if it is of the actor's municipalities (others get the same 404)."""
    case = await repository.get_case(session, case_id=case_id, for_update=for_update)
    if case is None or case.municipality_code not in actor.municipalities:
        raise NotFound(f"No case {case_id} in your municipalities.")
    return case


async def _members(
    session: AsyncSession, ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, Member]:
    return await roster_duty.members_by_id(session, sorted({i for i in ids if i is not None}))


def _ref(members: dict[uuid.UUID, Member], member_id: uuid.UUID | None) -> MemberRef | None:
    member = members.get(member_id) if member_id is not None else None
    return None if member is None else MemberRef(id=member.id, name=member.name, role=member.role)


def _summary(
    case: FollowupCase,
    members: dict[uuid.UUID, Member],
    *,
    next_deadline: datetime | None,
    active: int,
    overdue: int,
) -> CaseSummary:
    # The case's columns carry over by name (validated into their enums); the API names the
    # municipality and owner differently, and adds what the steps say.
    return CaseSummary.model_validate(
        {
            **case.model_dump(),
            "municipality": case.municipality_code,
            "owner": _ref(members, case.owner_member_id),
            "next_deadline": next_deadline,
            "active_steps": active,
            "overdue_steps": overdue,
        }
    )


def _step_out(
    step: FollowupStep,
    members: dict[uuid.UUID, Member],
    *,
    now: datetime,
    reader: FieldCipher | None,
) -> StepOut:
    answer = Answer(step.answer) if step.answer else None
    return StepOut(
        key=step.key,
        title=step.title,
        guidance=step.guidance,
        kind=StepKind(step.kind),
        required=step.required,
        condition=step.condition,
        owner_role=OwnerRole(step.owner_role),
        owner=_ref(members, step.owner_member_id),
        companion_role=OwnerRole(step.companion_role) if step.companion_role else None,
        companion=_ref(members, step.companion_member_id),
        state=StepState(step.state),
        active=step.active,
        deadline=step.deadline,
        due_at_once=step.due_at_once,
        remind_at=step.remind_at if step.active else None,
        overdue=deadlines.is_overdue(step.deadline, active=step.active, now=now),
        attempts=step.attempts,
        outcome=step.outcome,
        note=notes.shown(reader, case_id=step.case_id, token=step.note_sealed),
        has_note=step.note_sealed is not None,
        recorded_by=step.recorded_by,
        recorded_at=step.recorded_at,
        asks=Question(step.asks) if step.asks else None,
        answer=answer,
        duty=serious_event.DUTY if serious_event.duty_applies(answer) else None,
        helsetilsynet_notified=step.helsetilsynet_notified,
    )


async def steps_by_case(
    session: AsyncSession, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[FollowupStep]]:
    """The steps of each case, by deadline (for the staff pages' lists)."""
    steps: dict[uuid.UUID, list[FollowupStep]] = {}
    for step in await repository.steps_of_cases(session, case_ids=case_ids):
        steps.setdefault(step.case_id, []).append(step)
    return steps
