"""The privacy officer's API: who was shown what, by alert, by actor, or by person."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Security

from app.audit import service
from app.audit.enums import ActorKind, Channel
from app.audit.schemas import (
    DEFAULT_PAGE,
    MAX_PAGE,
    AccessLogPage,
    AccessReport,
    AccessReportRequest,
    PersonLookup,
)
from app.auth.deps import ClientMunicipalities, current_client
from app.auth.scopes import Scope
from app.auth.staff.acting import ActingParty, acting_party
from app.auth.tokens import TokenClaims
from app.deps import ClockDep, StateDep, TxSession
from app.errors import Forbidden
from app.problems import Problem

router = APIRouter(prefix="/v1/privacy/access-log", tags=["privacy"])

MAX_ENTRY_ID = 2**63 - 1
"""The largest id a database integer holds; a larger cursor is a 422, not a 500."""

PrivacyOfficer = Annotated[TokenClaims, Security(current_client, scopes=[Scope.PRIVACY_READ])]

_problems: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No valid access token"},
    403: {"model": Problem, "description": "Missing scope, or not bound to the municipality"},
    422: {"model": Problem, "description": "The query is not valid"},
}


@router.get(
    "",
    response_model=AccessLogPage,
    summary="List access-log entries of an alert or of an actor",
    description="Give exactly one of `alert_id` and `actor_id`. Only entries about the "
    "municipalities the client is bound to are listed. Entries hold no personal data, so "
    "this read is not itself logged.",
    responses={**_problems, 404: {"model": Problem, "description": "No such alert"}},
)
async def list_entries(
    session: TxSession,
    client: PrivacyOfficer,
    municipalities: ClientMunicipalities,
    alert_id: Annotated[uuid.UUID | None, Query(description="Entries about this alert.")] = None,
    actor_id: Annotated[
        str | None,
        Query(min_length=1, max_length=64, description="Entries of this staff or client id."),
    ] = None,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_ENTRY_ID, description="Entries after this id.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> AccessLogPage:
    return await service.list_entries(
        session,
        municipalities=municipalities,
        alert_id=alert_id,
        actor_id=actor_id,
        after=after,
        limit=limit,
    )


@router.post(
    "/person",
    response_model=AccessLogPage,
    summary="List access-log entries about a person (logged)",
    description="Finds the disclosures of one person's data by national id, through its keyed "
    "hash, e.g. to answer the person's request to see who accessed their data. A POST, so the "
    "national id stays out of URLs and request logs. The lookup is itself written to the "
    "access log, with the reason given; the answer lists the entries before it.",
    responses=_problems,
)
async def lookup_person(
    lookup: PersonLookup,
    session: TxSession,
    clock: ClockDep,
    state: StateDep,
    client: PrivacyOfficer,
    municipalities: ClientMunicipalities,
) -> AccessLogPage:
    return await service.lookup_person(
        session,
        client_id=client.client_id,
        municipalities=municipalities,
        lookup=lookup,
        now=clock.now(),
        hasher=state.hasher,
    )


report_router = APIRouter(prefix="/v1/audit", tags=["privacy"])

Auditor = Annotated[ActingParty, Security(acting_party, scopes=[Scope.PRIVACY_READ])]


async def leader_or_privacy_officer(acting: Auditor) -> ActingParty:
    """A signed-in team leader (their municipality), or a client with `privacy:read` (its
    municipalities); 403 for another signed-in member."""
    if acting.staff is not None and not acting.staff.is_leader:
        raise Forbidden("Only the team's leader makes an access report.")
    return acting


def _asker(acting: ActingParty) -> service.Discloser:
    if acting.staff is not None:
        return service.Discloser(ActorKind.STAFF, str(acting.staff.member_id), Channel.API)
    assert acting.client_id is not None
    return service.Discloser(ActorKind.API_CLIENT, acting.client_id, Channel.API)


@report_router.post(
    "/access-report",
    response_model=AccessReport,
    summary="Who saw a person's data: the access report to hand over (logged)",
    description="On the person's written request (GDPR art. 15): every access-log entry "
    "about the person in the municipality, found by the keyed hash of the national id (and "
    "the alerts that carry it), with who (name and role), when, which categories and on "
    "which basis. A POST, so the national id stays out of URLs and request logs. The search "
    "is itself written to the access log. A signed-in team leader (staff session token) "
    "searches their own municipality; a client with `privacy:read` its own.",
    responses=_problems,
)
async def access_report(
    request: AccessReportRequest,
    session: TxSession,
    clock: ClockDep,
    state: StateDep,
    acting: Annotated[ActingParty, Depends(leader_or_privacy_officer)],
) -> AccessReport:
    return await service.access_report(
        session,
        asker=_asker(acting),
        municipalities=acting.municipalities,
        request=request,
        now=clock.now(),
        hasher=state.hasher,
    )
