"""The client's own webhook endpoint and deliveries: /v1/webhook-endpoint, /v1/webhook-deliveries.

A client sees and changes only its own; another client's delivery answers 404 as an unknown
id does. Routers own the transaction; the in-process worker is woken after commit.
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, Security, status

from app.auth.deps import current_client
from app.auth.scopes import Scope
from app.auth.tokens import TokenClaims
from app.deps import ClockDep, StateDep, TransactionDep, TxSession
from app.problems import Problem
from app.webhooks import service
from app.webhooks.models import DeliveryStatus
from app.webhooks.schemas import (
    DEFAULT_PAGE,
    MAX_PAGE,
    WebhookDeliveryOut,
    WebhookEndpointCreatedOut,
    WebhookEndpointIn,
    WebhookEndpointOut,
    WebhookSecretOut,
)

TAG = "outbound webhooks"
ENDPOINT_PATH = "/v1/webhook-endpoint"
DELIVERIES_PATH = "/v1/webhook-deliveries"

router = APIRouter(
    tags=[TAG],
    responses={
        401: {"model": Problem, "description": "No valid access token"},
        403: {"model": Problem, "description": "The token lacks the `alerts:read` scope"},
    },
)

Client = Annotated[TokenClaims, Security(current_client, scopes=[Scope.ALERTS_READ])]
_NO_ENDPOINT: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "This client has no webhook endpoint"}
}
_NO_STORE = "no-store"


@router.put(
    ENDPOINT_PATH,
    response_model=None,  # two answers, each documented below with its own model
    summary="Set the webhook endpoint",
    description="Creates this client's endpoint (201, with the signing secret: shown this "
    "once) or changes its URL (200, without the secret); a deactivated endpoint becomes "
    "active again with the secret it had. Production accepts only https URLs; the host must "
    "resolve, and only to public addresses (development also takes loopback).",
    responses={
        200: {"model": WebhookEndpointOut, "description": "The URL was changed"},
        201: {"model": WebhookEndpointCreatedOut, "description": "Created, with the secret"},
        422: {"model": Problem, "description": "The URL is refused (`errors` says why)"},
    },
)
async def set_webhook_endpoint(
    endpoint_in: WebhookEndpointIn,
    response: Response,
    session: TxSession,
    clock: ClockDep,
    state: StateDep,
    client: Client,
) -> WebhookEndpointCreatedOut | WebhookEndpointOut:
    # Before the first statement, so no connection is held while the name resolves.
    url = await service.check_url(endpoint_in.url, state.webhook_addresses)
    result = await service.set_endpoint(
        session, client_id=client.client_id, url=url, now=clock.now(), cipher=state.cipher
    )
    if result.created:
        response.status_code = status.HTTP_201_CREATED
        response.headers["Cache-Control"] = _NO_STORE
    return result.endpoint


@router.get(
    ENDPOINT_PATH,
    summary="Get the webhook endpoint",
    description="The URL and whether it is active; never the secret.",
    responses=_NO_ENDPOINT,
)
async def get_webhook_endpoint(session: TxSession, client: Client) -> WebhookEndpointOut:
    return await service.get_endpoint(session, client_id=client.client_id)


@router.delete(
    ENDPOINT_PATH,
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Deactivate the webhook endpoint",
    description="Nothing more is sent; deliveries still waiting are given up (`failed`). "
    "A PUT activates it again.",
    responses=_NO_ENDPOINT,
)
async def delete_webhook_endpoint(session: TxSession, clock: ClockDep, client: Client) -> None:
    await service.deactivate_endpoint(session, client_id=client.client_id, now=clock.now())


@router.post(
    f"{ENDPOINT_PATH}/rotate-secret",
    summary="Give the webhook endpoint a new signing secret",
    description="The new secret is answered this once; every attempt from now on, retries "
    "included, is signed with it.",
    responses=_NO_ENDPOINT,
)
async def rotate_webhook_secret(
    response: Response, session: TxSession, clock: ClockDep, state: StateDep, client: Client
) -> WebhookSecretOut:
    response.headers["Cache-Control"] = _NO_STORE
    secret = await service.rotate_secret(
        session, client_id=client.client_id, now=clock.now(), cipher=state.cipher
    )
    return WebhookSecretOut(secret=secret)


@router.get(
    DELIVERIES_PATH,
    summary="List webhook deliveries",
    description="This client's deliveries, newest first: what was sent, whether it arrived, "
    "and when a waiting one is tried next.",
)
async def list_webhook_deliveries(
    session: TxSession,
    client: Client,
    delivery_status: Annotated[
        DeliveryStatus | None, Query(alias="status", description="Only deliveries in this state.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="At most this many.")] = (
        DEFAULT_PAGE
    ),
) -> list[WebhookDeliveryOut]:
    return await service.list_deliveries(
        session, client_id=client.client_id, status=delivery_status, limit=limit
    )


@router.post(
    f"{DELIVERIES_PATH}/{{delivery_id}}/resend",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a webhook delivery again",
    description="For a delivered or failed delivery: posted again at once with the same body "
    "and `webhook-id` (so a receiver that keeps ids sees a duplicate), retried as a new one.",
    responses={
        404: {"model": Problem, "description": "No such delivery for this client"},
        409: {
            "model": Problem,
            "description": "The delivery is still waiting to be sent, or the endpoint is "
            "deactivated",
        },
    },
)
async def resend_webhook_delivery(
    delivery_id: uuid.UUID,
    session: TxSession,
    transaction: TransactionDep,
    clock: ClockDep,
    state: StateDep,
    client: Client,
) -> WebhookDeliveryOut:
    transaction.after_commit(partial(state.worker.wake, side_lane=True))  # it is due
    return await service.resend(
        session, client_id=client.client_id, delivery_id=delivery_id, now=clock.now()
    )
