"""The privacy officer's API: who was shown what, by alert, by actor, or by person."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Security

from app.audit import service
from app.audit.schemas import DEFAULT_PAGE, MAX_PAGE, AccessLogPage, PersonLookup
from app.auth.deps import ClientMunicipalities, current_client
from app.auth.scopes import Scope
from app.auth.tokens import TokenClaims
from app.deps import ClockDep, StateDep, TxSession
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
