"""Warnings about dangerous drugs: concern reports (partners with `concerns:write`, and any
signed-in staff member), and cluster signals and warnings for the leader: a municipality's
case system acting for the leader (`alerts:details`, the client's municipalities, `by` names
the person) or the team leader signed in (a staff session token; `by` is the leader); the
contact list, neighbours and cluster rules under the admin API (`admin`)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Security, status

from app.api.documents import Operation, SettingsDocument, mount
from app.auth.scopes import Scope
from app.auth.staff.acting import ActingParty, acting_party
from app.deps import ClockDep, SessionDep, StateDep
from app.drug_warnings import drafts, lists, reports, settings, signals
from app.drug_warnings.common import Filer
from app.drug_warnings.models import SignalStatus
from app.drug_warnings.schemas import (
    ActingStaff,
    ApprovalIn,
    ClusterRules,
    ClusterRulesDoc,
    ConcernReportIn,
    ConcernReportOut,
    DismissalIn,
    IncomingWarningOut,
    ReviewIn,
    SignalOut,
    WarningContacts,
    WarningEdit,
    WarningIn,
    WarningOut,
    WarningState,
)
from app.errors import Forbidden, NotFound
from app.problems import Problem
from app.roster.teams.owners import MUNICIPALITY

TAG = "drug warnings"
ADMIN_TAG = "admin: drug warnings"

router = APIRouter(prefix="/v1", tags=[TAG])

Reporter = Annotated[ActingParty, Security(acting_party, scopes=[Scope.CONCERNS_WRITE])]
"""A partner (`concerns:write`) or any signed-in staff member: files concern reports."""
CaseSystemOrStaff = Annotated[ActingParty, Security(acting_party, scopes=[Scope.ALERTS_DETAILS])]


async def leader(acting: CaseSystemOrStaff) -> ActingParty:
    """The case system acting for the leader, or a signed-in team leader; 403 for another
    signed-in member."""
    if acting.staff is not None and not acting.staff.is_leader:
        raise Forbidden("Only the team's leader acts on signals and warnings.")
    return acting


Leader = Annotated[ActingParty, Depends(leader)]

_problems: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No valid access token or staff session"},
    403: {
        "model": Problem,
        "description": "The token lacks the scope, or a signed-in member who is not a team's "
        "leader acts on signals or warnings",
    },
}
_not_found: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "Not in the client's municipalities"}
}
_conflict: dict[int | str, dict[str, Any]] = {
    409: {"model": Problem, "description": "Not in a state that allows it"}
}
_text_refused: dict[int | str, dict[str, Any]] = {
    422: {
        "model": Problem,
        "description": "`errors` names each field refused: a text with a national id, a phone "
        "number or a name from an alert of the cluster, or of the municipality around the "
        "concern report (`text`), an SMS longer than two "
        "segments, another municipality, an unknown signal or concern report.",
    }
}

MunicipalityQuery = Annotated[
    str | None, Query(pattern=r"^\d{4}$", description="One of the client's municipalities")
]
Offset = Annotated[int, Query(ge=0, le=100_000)]
Limit = Annotated[int, Query(ge=1, le=200)]


def _by(acting: ActingParty, sent: ActingStaff | None) -> ActingStaff | None:
    """Who acts: the signed-in leader (replacing a `by` sent), or the case system's `by`."""
    staff = acting.staff
    return sent if staff is None else ActingStaff(name=staff.name, role=staff.role)


def _filer(acting: ActingParty) -> Filer:
    if acting.staff is not None:
        return Filer(member_id=acting.staff.member_id)
    return Filer(client_id=acting.client_id)


def _codes(municipality: str | None, municipalities: frozenset[str]) -> list[str]:
    if municipality is not None and municipality not in municipalities:
        raise NotFound(f"No municipality {municipality} for this client.")
    return [municipality] if municipality is not None else sorted(municipalities)


@router.post(
    "/concern-reports",
    status_code=status.HTTP_201_CREATED,
    summary="File a concern report about a dangerous drug",
    description="For partners (police, the injection room, Feltpleien, user organisations) "
    "with the `concerns:write` scope, and for any signed-in staff member: a drug "
    "seen or heard of that may call for a warning. It goes to the leader's list; nobody is "
    "warned until the leader approves a warning. The description must not identify anyone: "
    "a national id or a phone number is refused.",
    responses={**_problems, **_text_refused},
)
async def create_concern_report(
    report_in: ConcernReportIn,
    session: SessionDep,
    clock: ClockDep,
    acting: Reporter,
) -> ConcernReportOut:
    async with session.begin():
        return await reports.file_concern_report(
            session,
            report_in=report_in,
            filer=_filer(acting),
            municipalities=acting.municipalities,
            now=clock.now(),
        )


@router.get(
    "/concern-reports",
    summary="List the concern reports of the client's municipalities",
    description="Newest first.",
    responses={**_problems, **_not_found},
)
async def list_concern_reports(
    session: SessionDep,
    acting: Leader,
    municipality: MunicipalityQuery = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> list[ConcernReportOut]:
    codes = _codes(municipality, acting.municipalities)
    async with session.begin():
        return await reports.concern_reports(
            session, municipalities=codes, offset=offset, limit=limit
        )


@router.get(
    "/cluster-signals",
    summary="List cluster signals",
    description="Clusters of overdoses (by default 3 within 6 hours in the municipality; see "
    "the admin API's cluster rules), most recently grown first. A signal grows as alerts "
    "join its cluster; a dismissed signal opens again when it grows. Anonymous alerts count.",
    responses={**_problems, **_not_found},
)
async def list_cluster_signals(
    session: SessionDep,
    acting: Leader,
    municipality: MunicipalityQuery = None,
    signal_status: Annotated[
        SignalStatus | None, Query(alias="status", description="Only signals in this state")
    ] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> list[SignalOut]:
    codes = _codes(municipality, acting.municipalities)
    async with session.begin():
        return await signals.list_signals(
            session, municipalities=codes, status=signal_status, offset=offset, limit=limit
        )


@router.post(
    "/cluster-signals/{signal_id}/dismiss",
    summary="Dismiss a cluster signal",
    description="The leader decided that no warning is needed, and why.",
    responses={**_problems, **_not_found, **_conflict},
)
async def dismiss_cluster_signal(
    signal_id: uuid.UUID,
    dismissal: DismissalIn,
    session: SessionDep,
    clock: ClockDep,
    acting: Leader,
) -> SignalOut:
    async with session.begin():
        return await signals.dismiss_signal(
            session,
            signal_id=signal_id,
            dismissal=dismissal.model_copy(update={"by": _by(acting, dismissal.by)}),
            municipalities=acting.municipalities,
            now=clock.now(),
        )


@router.get(
    "/drug-warnings",
    summary="List the warnings of the client's municipalities",
    description="Newest first; `state` picks drafts, warnings in force, or expired ones "
    "(`review_due` marks those not reviewed yet).",
    responses={**_problems, **_not_found},
)
async def list_drug_warnings(
    session: SessionDep,
    clock: ClockDep,
    acting: Leader,
    municipality: MunicipalityQuery = None,
    state: Annotated[WarningState | None, Query(description="Only warnings so")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> list[WarningOut]:
    codes = _codes(municipality, acting.municipalities)
    async with session.begin():
        return await lists.list_warnings(
            session, municipalities=codes, state=state, offset=offset, limit=limit, now=clock.now()
        )


@router.post(
    "/drug-warnings",
    status_code=status.HTTP_201_CREATED,
    summary="Draft a warning",
    description="From a cluster signal or a concern report (or both). A draft reaches nobody "
    "until it is approved. The text must not identify anyone: a national id, a phone number "
    "or a name from an alert of the signal's cluster is refused; `sms_text` shows the SMS.",
    responses={**_problems, **_text_refused},
)
async def create_drug_warning(
    warning_in: WarningIn,
    session: SessionDep,
    clock: ClockDep,
    state: StateDep,
    acting: Leader,
) -> WarningOut:
    async with session.begin():
        return await drafts.create_warning(
            session,
            warning_in=warning_in.model_copy(update={"by": _by(acting, warning_in.by)}),
            filer=_filer(acting),
            municipalities=acting.municipalities,
            now=clock.now(),
            cipher=state.cipher,
        )


@router.get(
    "/drug-warnings/{warning_id}",
    summary="Get a warning",
    responses={**_problems, **_not_found},
)
async def get_drug_warning(
    warning_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    acting: Leader,
) -> WarningOut:
    async with session.begin():
        return await lists.get_warning(
            session, warning_id=warning_id, municipalities=acting.municipalities, now=clock.now()
        )


@router.patch(
    "/drug-warnings/{warning_id}",
    summary="Edit a draft warning",
    description="The text and how long it will be in force; checked as when it was drafted. "
    "An approved warning is not changed (409): write a new one.",
    responses={**_problems, **_not_found, **_conflict, **_text_refused},
)
async def update_drug_warning(
    warning_id: uuid.UUID,
    edit: WarningEdit,
    session: SessionDep,
    clock: ClockDep,
    state: StateDep,
    acting: Leader,
) -> WarningOut:
    async with session.begin():
        return await drafts.edit_warning(
            session,
            warning_id=warning_id,
            edit=edit.model_copy(update={"by": _by(acting, edit.by)}),
            municipalities=acting.municipalities,
            now=clock.now(),
            cipher=state.cipher,
        )


@router.post(
    "/drug-warnings/{warning_id}/approve",
    summary="Approve and send a warning",
    description="The leader's approval: the text is checked once more, then the warning goes "
    "by SMS to the municipality's contact list and arrives in the neighbouring "
    "municipalities' lists of incoming warnings. It is in force for `valid_days` from now.",
    responses={**_problems, **_not_found, **_conflict, **_text_refused},
)
async def approve_drug_warning(
    warning_id: uuid.UUID,
    approval: ApprovalIn,
    session: SessionDep,
    clock: ClockDep,
    state: StateDep,
    acting: Leader,
) -> WarningOut:
    async with session.begin():
        answer = await drafts.approve_warning(
            session,
            warning_id=warning_id,
            approval=approval.model_copy(update={"by": _by(acting, approval.by)}),
            municipalities=acting.municipalities,
            now=clock.now(),
            cipher=state.cipher,
        )
    state.worker.wake()  # after commit: the SMS are due
    return answer


@router.post(
    "/drug-warnings/{warning_id}/review",
    summary="Review a warning",
    description="What the review of an approved warning found (once; in force or expired).",
    responses={**_problems, **_not_found, **_conflict},
)
async def review_drug_warning(
    warning_id: uuid.UUID,
    review: ReviewIn,
    session: SessionDep,
    clock: ClockDep,
    acting: Leader,
) -> WarningOut:
    async with session.begin():
        return await drafts.review_warning(
            session,
            warning_id=warning_id,
            review=review.model_copy(update={"by": _by(acting, review.by)}),
            municipalities=acting.municipalities,
            now=clock.now(),
        )


@router.get(
    "/incoming-drug-warnings",
    summary="List warnings from neighbouring municipalities",
    description="Warnings approved in municipalities that list the client's municipality as "
    "a neighbour, newest first; expired ones only with `include_expired`.",
    responses={**_problems, **_not_found},
)
async def list_incoming_drug_warnings(
    session: SessionDep,
    clock: ClockDep,
    acting: Leader,
    municipality: MunicipalityQuery = None,
    include_expired: bool = False,
    offset: Offset = 0,
    limit: Limit = 50,
) -> list[IncomingWarningOut]:
    codes = _codes(municipality, acting.municipalities)
    async with session.begin():
        return await lists.incoming_warnings(
            session,
            municipalities=codes,
            include_expired=include_expired,
            offset=offset,
            limit=limit,
            now=clock.now(),
        )


WARNING_CONTACTS = SettingsDocument(
    name="warning-contacts",
    owner=MUNICIPALITY,
    path="/warning-contacts",
    tag=ADMIN_TAG,
    body=WarningContacts,
    answer=WarningContacts,
    load=settings.contacts_of,
    store=settings.set_contacts,
    get=Operation(
        "get_warning_contacts",
        summary="Get who the municipality's warnings reach",
        description="A municipality that has set none warns nobody by SMS.",
    ),
    put=Operation(
        "set_warning_contacts",
        summary="Set who the municipality's warnings reach",
        description="Replaces the contact list (each gets an approved warning by SMS) and the "
        "neighbours (served municipalities whose leaders receive it in their list). Warnings "
        "sent before are not changed.",
    ),
)

CLUSTER_RULES = SettingsDocument(
    name="cluster-rules",
    owner=MUNICIPALITY,
    path="/cluster-rules",
    tag=ADMIN_TAG,
    body=ClusterRules,
    answer=ClusterRulesDoc,
    load=settings.rules_doc,
    store=settings.set_rules,
    get=Operation(
        "get_cluster_rules",
        summary="Get how clusters of overdoses are detected",
        description="A municipality that has not set its own gets the default (3 within 6 "
        "hours in the municipality), with `configured: false`, and no districts.",
    ),
    put=Operation(
        "set_cluster_rules",
        summary="Set how clusters of overdoses are detected, and the districts",
        description="Each rule raises its own signals: N overdoses within H hours (first to "
        "last, inclusive, by when they happened) in the municipality, within `radius_km` of one "
        "of them, or in one of the municipality's `districts` (named polygons of [latitude, "
        "longitude] points; an alert counts in the district whose boundary holds its "
        "coordinates, the first listed where districts overlap). Radius and district rules "
        "count only alerts whose coordinates were kept; each district has its own signals, "
        "which name it. The document is replaced whole: `districts` left out means none, and a "
        "`district` rule needs at least one. An empty `rules` list turns detection off. "
        "Signals raised before stay.",
    ),
)

routers = (router, mount(WARNING_CONTACTS), mount(CLUSTER_RULES))
"""The routers, for `app.main.api_routes`."""
