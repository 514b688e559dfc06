"""POST /v1/alerts and GET /v1/alerts/{id}: the dispatch systems' API; and the details of an
alert for a municipality's case system (personal data, logged)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, Security, status

from app.alerts import disclosure, service
from app.alerts.details import AlertDetails
from app.alerts.schemas import AlertIn, AlertOut
from app.audit.schemas import Reason
from app.auth.scopes import Scope
from app.auth.tokens import TokenClaims
from app.deps import ClientMunicipalities, ClockDep, SessionDep, StateDep, current_client
from app.errors import Problem
from app.input_guard import validates_own_text

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])

_problems: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No valid access token"},
    403: {"model": Problem, "description": "Missing scope, or not allowed for the municipality"},
}


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
    session: SessionDep,
    clock: ClockDep,
    state: StateDep,
    client: Annotated[TokenClaims, Security(current_client, scopes=[Scope.ALERTS_WRITE])],
    municipalities: ClientMunicipalities,
) -> AlertOut:
    async with session.begin():
        result = await service.receive_alert(
            session,
            client_id=client.client_id,
            municipalities=municipalities,
            alert_in=alert_in,
            now=clock.now(),
            cipher=state.cipher,
            hasher=state.hasher,
            intake=state.settings.intake,
        )
    response.headers["Location"] = f"{router.prefix}/{result.alert.id}"
    if result.created:
        state.worker.wake()  # after commit: the escalation is due
    else:
        response.status_code = status.HTTP_200_OK
    return result.alert


@router.get(
    "/{alert_id}",
    response_model=AlertOut,
    summary="Get the status of an alert",
    description="Only the client that posted the alert can read it; others get 404.",
    responses={**_problems, 404: {"model": Problem, "description": "No such alert"}},
)
async def get_alert(
    alert_id: uuid.UUID,
    session: SessionDep,
    client: Annotated[TokenClaims, Security(current_client, scopes=[Scope.ALERTS_READ])],
) -> AlertOut:
    async with session.begin():
        return await service.get_alert(session, alert_id=alert_id, client_id=client.client_id)


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
    session: SessionDep,
    clock: ClockDep,
    state: StateDep,
    client: Annotated[TokenClaims, Security(current_client, scopes=[Scope.ALERTS_DETAILS])],
    municipalities: ClientMunicipalities,
) -> AlertDetails:
    async with session.begin():
        return await disclosure.disclose_to_case_system(
            session,
            alert_id=alert_id,
            client_id=client.client_id,
            municipalities=municipalities,
            reason=reason,
            now=clock.now(),
            cipher=state.cipher,
        )
