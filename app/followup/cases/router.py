"""The follow-up cases API: for signed-in staff (a session token: their municipality, as
themselves) and for a municipality's case system (scope `alerts:details`: its municipalities,
acting for the team's leader or for `by_member_id`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Security
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.queries import Limit, MunicipalityQuery, Offset
from app.api.responses import Responses, problem
from app.auth.scopes import Scope
from app.auth.staff.acting import ActingParty, acting_party
from app.deps import ClockDep, StateDep, TxSession
from app.followup.cases import changes, views
from app.followup.cases.actor import Actor, CaseScope
from app.followup.cases.schemas import (
    CaseCloseIn,
    CaseOut,
    CaseReassignIn,
    CaseSummary,
    StepAssignIn,
    StepRecordIn,
)
from app.followup.state import CaseState
from app.privacy.crypto import FieldCipher

Acting = Annotated[ActingParty, Security(acting_party, scopes=[Scope.ALERTS_DETAILS])]


@dataclass(frozen=True, slots=True)
class OnCases:
    """What a route acts on cases with: the request's transaction, the calling party, the
    time and the cipher."""

    session: AsyncSession
    party: ActingParty
    now: datetime
    cipher: FieldCipher

    def scope(self, *, by_member_id: uuid.UUID | None = None) -> CaseScope:
        """The scope of the caller, acting as themselves or, a case system, for the member a
        body names (`Actor.of`: 422 for a staff member naming another)."""
        actor = Actor.of(self.party, by_member_id=by_member_id)
        return CaseScope(self.session, actor, self.now, self.cipher)


async def on_cases(session: TxSession, clock: ClockDep, acting: Acting, state: StateDep) -> OnCases:
    return OnCases(session, acting, clock.now(), state.cipher)


Caller = Annotated[OnCases, Depends(on_cases)]

_problems: Responses = {
    **problem(401, "No valid access token or staff session"),
    **problem(403, "The token lacks the `alerts:details` scope"),
    **problem(404, "No such case (or step) in your municipalities"),
}
_CHANGE: Responses = {
    **problem(
        409,
        "The state machine refuses the change: the case is closed, or the step is in a state "
        "that does not allow it (`detail` says why)",
    ),
    **problem(
        422,
        "Invalid: a national id, a phone number or the person's name in a text, a missing "
        "reason, a next attempt in the past, a member not of the case's team, a `by_member_id` "
        "other than the signed-in staff member",
    ),
}
_LEADER_ONLY = problem(
    403,
    "The token lacks `alerts:details`, or the change is the leader's and the staff member (or "
    "`by_member_id`) is not the team's leader",
)

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
    caller: Caller,
    municipality: MunicipalityQuery = None,
    state: Annotated[
        CaseState | None, Query(description="Only cases in this state (default: open)")
    ] = CaseState.OPEN,
    offset: Offset = 0,
    limit: Limit = 50,
) -> list[CaseSummary]:
    return await views.list_cases(
        caller.session,
        actor=Actor.of(caller.party),
        municipality=municipality,
        state=state,
        now=caller.now,
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
async def get_case(case_id: CaseId, caller: Caller) -> CaseOut:
    return await views.get_case(caller.scope(), case_id=case_id)


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
    case_id: CaseId, step_key: StepKey, record: StepRecordIn, caller: Caller
) -> CaseOut:
    scope = caller.scope(by_member_id=record.by_member_id)
    return await changes.record_step(scope, case_id=case_id, step_key=step_key, record=record)


@router.post(
    "/{case_id}/steps/{step_key}/assignment",
    summary="Assign a step's owner or companion",
    description="The leader's: a field left out stays as it is, `null` unassigns. Visits are "
    "made two by two: the companion is someone other than the owner.",
    responses={**_CHANGE, **_LEADER_ONLY},
)
async def assign_step(
    case_id: CaseId, step_key: StepKey, assignment: StepAssignIn, caller: Caller
) -> CaseOut:
    scope = caller.scope(by_member_id=assignment.by_member_id)
    return await changes.assign_step(
        scope, case_id=case_id, step_key=step_key, assignment=assignment
    )


@router.post(
    "/{case_id}/reassignment",
    summary="Hand a case to another member",
    description="The leader's (holidays, sickness): the case and every unresolved step that "
    "was the old owner's go to the new owner.",
    responses={**_CHANGE, **_LEADER_ONLY},
)
async def reassign_case(case_id: CaseId, reassign: CaseReassignIn, caller: Caller) -> CaseOut:
    scope = caller.scope(by_member_id=reassign.by_member_id)
    return await changes.reassign_case(scope, case_id=case_id, reassign=reassign)


@router.post(
    "/{case_id}/closure",
    summary="Close a case early",
    description="The leader's, with a reason, before every required step is resolved; its "
    "deadlines stop. (A case closes by itself when its last required step is resolved.)",
    responses={**_CHANGE, **_LEADER_ONLY},
)
async def close_case(case_id: CaseId, close: CaseCloseIn, caller: Caller) -> CaseOut:
    scope = caller.scope(by_member_id=close.by_member_id)
    return await changes.close_case(scope, case_id=case_id, close=close)
