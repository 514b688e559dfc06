"""The follow-up cases API: for signed-in staff (a session token: their municipality, as
themselves) and for a municipality's case system (scope `alerts:details`: its municipalities,
acting for the team's leader or for `by_member_id`)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Security

from app.auth.scopes import Scope
from app.auth.staff.acting import ActingParty, acting_party
from app.deps import ClockDep, StateDep, TxSession
from app.followup.cases import changes, views
from app.followup.cases.actor import Actor
from app.followup.cases.schemas import (
    CaseCloseIn,
    CaseOut,
    CaseReassignIn,
    CaseSummary,
    StepAssignIn,
    StepRecordIn,
)
from app.followup.state import CaseState
from app.problems import Problem

Acting = Annotated[ActingParty, Security(acting_party, scopes=[Scope.ALERTS_DETAILS])]

_problems: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No valid access token or staff session"},
    403: {"model": Problem, "description": "The token lacks the `alerts:details` scope"},
    404: {"model": Problem, "description": "No such case (or step) in your municipalities"},
}
_CHANGE: dict[int | str, dict[str, Any]] = {
    409: {
        "model": Problem,
        "description": "The state machine refuses the change: the case is closed, or the step "
        "is in a state that does not allow it (`detail` says why)",
    },
    422: {
        "model": Problem,
        "description": "Invalid: a national id, a phone number or the person's name in a text, "
        "a missing reason, "
        "a next attempt in the past, a member not of the case's team, a `by_member_id` other "
        "than the signed-in staff member",
    },
}
_LEADER_ONLY: dict[int | str, dict[str, Any]] = {
    403: {
        "model": Problem,
        "description": "The token lacks `alerts:details`, or the change is the leader's and "
        "the staff member (or `by_member_id`) is not the team's leader",
    }
}

router = APIRouter(prefix="/v1/cases", tags=["cases"], responses=_problems)

CaseId = Annotated[uuid.UUID, Path(description="The case", examples=[uuid.UUID(int=1)])]
StepKey = Annotated[
    str, Path(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="The step", examples=["reach"])
]


@router.get(
    "",
    summary="List follow-up cases, overdue first",
    description="The cases of the client's municipalities (staff: of their own municipality): "
    "those with an overdue step first, then by the next deadline. No personal data.",
)
async def list_cases(
    session: TxSession,
    clock: ClockDep,
    acting: Acting,
    municipality: Annotated[
        str | None, Query(pattern=r"^\d{4}$", description="One of the client's municipalities")
    ] = None,
    state: Annotated[
        CaseState | None, Query(description="Only cases in this state (default: open)")
    ] = CaseState.OPEN,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[CaseSummary]:
    return await views.list_cases(
        session,
        actor=Actor.of(acting),
        municipality=municipality,
        state=state,
        now=clock.now(),
        offset=offset,
        limit=limit,
    )


@router.get(
    "/{case_id}",
    summary="Get a case with its steps and history",
    description="A note's text only for a reader with details access: the case system, or "
    "staff with a work need (the leader, those assigned to the case or a step, those paged "
    "for its alert); other staff of the municipality see that a note exists (`has_note`).",
)
async def get_case(
    case_id: CaseId,
    session: TxSession,
    clock: ClockDep,
    acting: Acting,
    state: StateDep,
) -> CaseOut:
    return await views.get_case(
        session,
        case_id=case_id,
        actor=Actor.of(acting),
        now=clock.now(),
        cipher=state.cipher,
    )


@router.post(
    "/{case_id}/steps/{step_key}/records",
    summary="Record what became of a step",
    description="`done`, `not_reached` (a next attempt: the step stays active with a new "
    "deadline), `not_applicable` (with the reason), or `reopen`. Recording over a resolved step "
    "is refused: reopen it first. The case closes when its last required step is resolved. "
    "Notes are at most 500 characters and may not hold a national id, a phone number or the "
    "person's name (as the alert names them); a note is kept sealed, and its text is in an "
    "answer only for a reader with details access (the case system; staff with a work need), "
    "others see `has_note`.",
    responses=_CHANGE,
)
async def record_step(
    case_id: CaseId,
    step_key: StepKey,
    record: StepRecordIn,
    session: TxSession,
    clock: ClockDep,
    acting: Acting,
    state: StateDep,
) -> CaseOut:
    return await changes.record_step(
        session,
        case_id=case_id,
        step_key=step_key,
        record=record,
        actor=Actor.of(acting, by_member_id=record.by_member_id),
        now=clock.now(),
        cipher=state.cipher,
    )


@router.post(
    "/{case_id}/steps/{step_key}/assignment",
    summary="Assign a step's owner or companion",
    description="The leader's: a field left out stays as it is, `null` unassigns. Visits are "
    "made two by two: the companion is someone other than the owner.",
    responses={**_CHANGE, **_LEADER_ONLY},
)
async def assign_step(
    case_id: CaseId,
    step_key: StepKey,
    assignment: StepAssignIn,
    session: TxSession,
    clock: ClockDep,
    acting: Acting,
    state: StateDep,
) -> CaseOut:
    return await changes.assign_step(
        session,
        case_id=case_id,
        step_key=step_key,
        assignment=assignment,
        actor=Actor.of(acting, by_member_id=assignment.by_member_id),
        now=clock.now(),
        cipher=state.cipher,
    )


@router.post(
    "/{case_id}/reassignment",
    summary="Hand a case to another member",
    description="The leader's (holidays, sickness): the case and every unresolved step that "
    "was the old owner's go to the new owner.",
    responses={**_CHANGE, **_LEADER_ONLY},
)
async def reassign_case(
    case_id: CaseId,
    reassign: CaseReassignIn,
    session: TxSession,
    clock: ClockDep,
    acting: Acting,
    state: StateDep,
) -> CaseOut:
    return await changes.reassign_case(
        session,
        case_id=case_id,
        reassign=reassign,
        actor=Actor.of(acting, by_member_id=reassign.by_member_id),
        now=clock.now(),
        cipher=state.cipher,
    )


@router.post(
    "/{case_id}/closure",
    summary="Close a case early",
    description="The leader's, with a reason, before every required step is resolved; its "
    "deadlines stop. (A case closes by itself when its last required step is resolved.)",
    responses={**_CHANGE, **_LEADER_ONLY},
)
async def close_case(
    case_id: CaseId,
    close: CaseCloseIn,
    session: TxSession,
    clock: ClockDep,
    acting: Acting,
    state: StateDep,
) -> CaseOut:
    return await changes.close_case(
        session,
        case_id=case_id,
        close=close,
        actor=Actor.of(acting, by_member_id=close.by_member_id),
        now=clock.now(),
        cipher=state.cipher,
    )
