"""POST /v1/alerts and GET /v1/alerts/{id}: the dispatch systems' API; and the details of an
alert for a municipality's case system (personal data, logged)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, Security, status

from app.alerts import disclosure, intake, service, supplements
from app.alerts.clients import Reader, Sender
from app.alerts.details import AlertDetails
from app.alerts.responses import AlertOut, AlertSummary, SupplementOut
from app.alerts.schemas.alert_in import AlertIn
from app.alerts.schemas.supplement_in import SupplementIn
from app.api.queries import Limit, MunicipalityQuery, Offset
from app.audit.schemas import Reason
from app.auth.deps import CaseSystem, ClientMunicipalities, current_client
from app.auth.scopes import Scope
from app.auth.tokens import TokenClaims
from app.deps import ClockDep, StateDep, Transaction, TransactionDep, TxSession
from app.errors import NotFound
from app.input_guard import validates_own_text
from app.problems import Problem
from app.triage.rules import TriageAction

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])

_problems: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No valid access token"},
    403: {"model": Problem, "description": "Missing scope, or not allowed for the municipality"},
}


async def alert_sender(
    session: TxSession,
    clock: ClockDep,
    state: StateDep,
    client: Annotated[TokenClaims, Security(current_client, scopes=[Scope.ALERTS_WRITE])],
) -> Sender:
    return Sender(
        session=session,
        client_id=client.client_id,
        now=clock.now(),
        cipher=state.cipher,
        hasher=state.hasher,
    )


AlertSender = Annotated[Sender, Depends(alert_sender)]
"""A dispatch system (scope `alerts:write`) posting alerts and supplements."""


async def case_system_reader(
    session: TxSession,
    clock: ClockDep,
    state: StateDep,
    client: CaseSystem,
    municipalities: ClientMunicipalities,
) -> Reader:
    return Reader(
        session=session,
        client_id=client.client_id,
        municipalities=municipalities,
        now=clock.now(),
        cipher=state.cipher,
    )


CaseSystemReader = Annotated[Reader, Depends(case_system_reader)]
"""A municipality's case system (scope `alerts:details`) reading its municipalities' alerts."""


def _answer_stored(
    response: Response,
    transaction: Transaction,
    *,
    location: str,
    created: bool,
    wake: Callable[[], None],
) -> None:
    """201 with the new resource's Location, waking the worker once it is committed; 200 for
    a retry of what was stored already (nothing new to do)."""
    response.headers["Location"] = location
    if created:
        transaction.after_commit(wake)
    else:
        response.status_code = status.HTTP_200_OK


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AlertOut,
    summary="Post an overdose alert",
    description="Idempotent on the dispatch incident id: a retry with the same content returns "
    "the alert already stored (200); the same id with other content is refused (409). Optional "
    "fields that fail validation are not stored and are listed in `dropped_fields`; the alert "
    "still goes through. A 4xx answer means the alert was NOT delivered (phone the "
    "municipality if it cannot be corrected at once); after a 5xx, or no answer at all, retry "
    "with the same dispatch incident id: that is safe, and answers the stored alert if there "
    "is one.",
    responses={
        200: {"model": AlertOut, "description": "A retry: this alert was already received"},
        201: {"description": "The alert was received"},
        **_problems,
        409: {
            "model": Problem,
            "description": "The incident id was used with other content; `alert_id` names the "
            "alert stored first",
        },
        413: {"model": Problem, "description": "The request body is too large"},
        422: {
            "model": Problem,
            "description": "Two kinds, told apart by `type`. `validation-error` (or "
            "`malformed-json`): the request is invalid (a required field, an impossible time, a "
            "duplicate key); nothing was stored: correct it and send again. "
            "`alert-not-delivered`: the alert is valid, but the municipality is not served or "
            "has no receiving team; nothing was stored and nobody is paged: phone the "
            "municipality.",
        },
    },
)
@validates_own_text  # odd optional text is dropped and listed by AlertIn, not refused
async def post_alert(
    alert_in: AlertIn,
    response: Response,
    sender: AlertSender,
    transaction: TransactionDep,
    state: StateDep,
    municipalities: ClientMunicipalities,
) -> AlertOut:
    result = await intake.receive_alert(
        sender, alert_in, municipalities=municipalities, intake=state.settings.intake
    )
    _answer_stored(
        response,
        transaction,
        location=f"{router.prefix}/{result.alert.id}",
        created=result.created,
        wake=state.worker.wake,  # the escalation is due
    )
    return result.alert


@router.get(
    "",
    response_model=list[AlertSummary],
    summary="List the newest alerts of the client's municipalities",
    description="For a municipality's case system acting for the overdose team's leader: what "
    "came in and what triage decided, newest first, without personal data (not logged). "
    "Alerts nobody was paged for (`triage=no_page`: the person objected) are seen here. Page "
    "back with `offset` (times of anonymous alerts are rounded, so they cannot be a cursor).",
    responses={
        **_problems,
        404: {"model": Problem, "description": "Not the client's municipality"},
    },
)
async def list_alerts(
    reader: CaseSystemReader,
    municipality: MunicipalityQuery = None,
    triage: Annotated[TriageAction | None, Query(description="Only alerts so triaged")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> list[AlertSummary]:
    if municipality is not None and municipality not in reader.municipalities:
        raise NotFound(f"No municipality {municipality} for this client.")
    codes = [municipality] if municipality is not None else sorted(reader.municipalities)
    return await service.recent_alerts(
        reader.session,
        municipalities=codes,
        triage_action=triage.value if triage else None,
        offset=offset,
        limit=limit,
    )


@router.get(
    "/{alert_id}",
    response_model=AlertOut,
    summary="Get the status of an alert",
    description="Only the client that posted the alert can read it; others get 404.",
    responses={**_problems, 404: {"model": Problem, "description": "No such alert"}},
)
async def get_alert(
    alert_id: uuid.UUID,
    session: TxSession,
    state: StateDep,
    client: Annotated[TokenClaims, Security(current_client, scopes=[Scope.ALERTS_READ])],
) -> AlertOut:
    return await service.get_alert(
        session, alert_id=alert_id, client_id=client.client_id, cipher=state.cipher
    )


@router.get(
    "/{alert_id}/details",
    response_model=AlertDetails,
    summary="Get the personal data of an alert (logged)",
    description="For a municipality's case system acting for the overdose team's leader, on "
    "alerts of the municipalities the client is bound to. The consent rules decide what is "
    "shown: with an objection only the anonymous alert. Every answer that holds personal data "
    "writes one entry in the access log with the `reason` given, which the privacy officer "
    "and the person can see.",
    responses={
        **_problems,
        404: {"model": Problem, "description": "No such alert in the client's municipalities"},
        422: {"model": Problem, "description": "The reason is missing or too short"},
    },
)
async def get_alert_details(
    alert_id: uuid.UUID,
    reason: Annotated[
        Reason,
        Query(description="Why the data is needed (tjenstlig behov), 3-500 characters; logged."),
    ],
    reader: CaseSystemReader,
) -> AlertDetails:
    return await disclosure.disclose_to_case_system(reader, alert_id=alert_id, reason=reason)


@router.post(
    "/{alert_id}/supplements",
    status_code=status.HTTP_201_CREATED,
    response_model=SupplementOut,
    summary="Supplement an alert",
    description="What the crew learned after the alert: a later consent, the outcome, where the "
    "person went, a correction. Only the fields given change; each supplement is a new version "
    "with its time and sender, shown in the timeline; nothing is overwritten silently and no "
    "second alert is made. A consent that narrows (e.g. to `objected`) deletes at once what "
    "nobody may see any longer and lists it in `purged`. The triage runs again: an alert "
    "nobody has acted on is paged, deferred or stopped as the new facts say. Optional fields "
    "that fail validation are dropped and listed, as for alerts. Send a `supplement_id` to "
    "make retries safe.",
    responses={
        200: {"model": SupplementOut, "description": "A retry: this supplement was applied"},
        201: {"description": "The supplement was applied"},
        **_problems,
        404: {"model": Problem, "description": "No such alert for this client"},
        409: {
            "model": Problem,
            "description": "The `supplement_id` was used with other content",
        },
        413: {"model": Problem, "description": "The request body is too large"},
        422: {
            "model": Problem,
            "description": "The kind and the outcome contradict each other, or a consent names "
            "the police; nothing was changed",
        },
    },
)
@validates_own_text  # odd optional text is dropped and listed, not refused
async def post_supplement(
    alert_id: uuid.UUID,
    supplement: SupplementIn,
    response: Response,
    sender: AlertSender,
    transaction: TransactionDep,
    state: StateDep,
) -> SupplementOut:
    result = await supplements.supplement_alert(sender, alert_id=alert_id, supplement=supplement)
    _answer_stored(
        response,
        transaction,
        location=f"{router.prefix}/{alert_id}",
        created=result.created,
        wake=partial(state.worker.wake, side_lane=True),
    )
    return result.supplement
