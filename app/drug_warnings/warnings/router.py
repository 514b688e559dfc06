"""The API of drug warnings, for the leader: draft, edit, approve (which sends) and review a
warning, list them, and list those arriving from neighbouring municipalities."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from app.api.queries import Limit, MunicipalityQuery, Offset
from app.deps import ClockDep, StateDep, TransactionDep, TxSession
from app.drug_warnings.api import (
    CONFLICT,
    NOT_FOUND,
    PROBLEMS,
    TAG,
    TEXT_REFUSED,
    Leader,
    LeaderCall,
    page_of,
)
from app.drug_warnings.warnings import lists
from app.drug_warnings.warnings import service as drafts
from app.drug_warnings.warnings.schemas import (
    ApprovalIn,
    IncomingWarningOut,
    ReviewIn,
    WarningEdit,
    WarningIn,
    WarningOut,
    WarningState,
)

router = APIRouter(prefix="/v1", tags=[TAG])


@router.get(
    "/drug-warnings",
    summary="List the warnings of the client's municipalities",
    description="Newest first; `state` picks drafts, warnings in force, or expired ones "
    "(`review_due` marks those not reviewed yet).",
    responses={**PROBLEMS, **NOT_FOUND},
)
async def list_drug_warnings(
    session: TxSession,
    clock: ClockDep,
    acting: Leader,
    municipality: MunicipalityQuery = None,
    state: Annotated[WarningState | None, Query(description="Only warnings so")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> list[WarningOut]:
    page = page_of(municipality, acting, offset=offset, limit=limit)
    now = clock.now()
    rows = await lists.warning_rows(session, page, state=state, now=now)
    return await lists.warnings_out(session, rows, now=now)


@router.post(
    "/drug-warnings",
    status_code=status.HTTP_201_CREATED,
    summary="Draft a warning",
    description="From a cluster signal or a concern report (or both). A draft reaches nobody "
    "until it is approved. The text must not identify anyone: a national id, a phone number "
    "or a name from an alert of the signal's cluster is refused; `sms_text` shows the SMS.",
    responses={**PROBLEMS, **TEXT_REFUSED},
)
async def create_drug_warning(warning_in: WarningIn, caller: LeaderCall) -> WarningOut:
    warning_in = warning_in.model_copy(update={"by": caller.acting(warning_in.by)})
    return await drafts.create_warning(caller.scope, warning_in=warning_in, filer=caller.filer)


@router.get(
    "/drug-warnings/{warning_id}",
    summary="Get a warning",
    responses={**PROBLEMS, **NOT_FOUND},
)
async def get_drug_warning(
    warning_id: uuid.UUID,
    session: TxSession,
    clock: ClockDep,
    acting: Leader,
) -> WarningOut:
    return await lists.get_warning(
        session, warning_id=warning_id, municipalities=acting.municipalities, now=clock.now()
    )


@router.patch(
    "/drug-warnings/{warning_id}",
    summary="Edit a draft warning",
    description="The text and how long it will be in force; checked as when it was drafted. "
    "An approved warning is not changed (409): write a new one.",
    responses={**PROBLEMS, **NOT_FOUND, **CONFLICT, **TEXT_REFUSED},
)
async def update_drug_warning(
    warning_id: uuid.UUID, edit: WarningEdit, caller: LeaderCall
) -> WarningOut:
    edit = edit.model_copy(update={"by": caller.acting(edit.by)})
    return await drafts.edit_warning(caller.scope, warning_id=warning_id, edit=edit)


@router.post(
    "/drug-warnings/{warning_id}/approve",
    summary="Approve and send a warning",
    description="The leader's approval: the text is checked once more, then the warning goes "
    "by SMS to the municipality's contact list and arrives in the neighbouring "
    "municipalities' lists of incoming warnings. It is in force for `valid_days` from now.",
    responses={**PROBLEMS, **NOT_FOUND, **CONFLICT, **TEXT_REFUSED},
)
async def approve_drug_warning(
    warning_id: uuid.UUID,
    approval: ApprovalIn,
    transaction: TransactionDep,
    state: StateDep,
    caller: LeaderCall,
) -> WarningOut:
    transaction.after_commit(state.worker.wake)  # the SMS are due
    approval = approval.model_copy(update={"by": caller.acting(approval.by)})
    return await drafts.approve_warning(caller.scope, warning_id=warning_id, approval=approval)


@router.post(
    "/drug-warnings/{warning_id}/review",
    summary="Review a warning",
    description="What the review of an approved warning found (once; in force or expired).",
    responses={**PROBLEMS, **NOT_FOUND, **CONFLICT},
)
async def review_drug_warning(
    warning_id: uuid.UUID, review: ReviewIn, caller: LeaderCall
) -> WarningOut:
    review = review.model_copy(update={"by": caller.acting(review.by)})
    return await drafts.review_warning(caller.scope, warning_id=warning_id, review=review)


@router.get(
    "/incoming-drug-warnings",
    summary="List warnings from neighbouring municipalities",
    description="Warnings approved in municipalities that list the client's municipality as "
    "a neighbour, newest first; expired ones only with `include_expired`.",
    responses={**PROBLEMS, **NOT_FOUND},
)
async def list_incoming_drug_warnings(
    session: TxSession,
    clock: ClockDep,
    acting: Leader,
    municipality: MunicipalityQuery = None,
    include_expired: bool = False,
    offset: Offset = 0,
    limit: Limit = 50,
) -> list[IncomingWarningOut]:
    page = page_of(municipality, acting, offset=offset, limit=limit)
    return await lists.incoming_warnings(
        session, page, include_expired=include_expired, now=clock.now()
    )
