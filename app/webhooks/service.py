"""Use cases of outbound webhooks: the client's endpoint, and enqueueing events.

Everything here runs in the caller's transaction and never does HTTP: `enqueue` writes a
row that the worker posts after commit (`app.webhooks.engine`), so an acknowledgement never
waits on a dispatch system, and a rollback sends nothing.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, FieldProblem, InvalidFields, NotFound
from app.notify import outbox
from app.privacy.crypto import FieldCipher
from app.webhooks import repository, signing, urls
from app.webhooks.addresses import AddressGuard, RefusedAddress
from app.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from app.webhooks.schemas import (
    WebhookDeliveryOut,
    WebhookEndpointCreatedOut,
    WebhookEndpointOut,
)

EVENT_TYPE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
MAX_EVENT_TYPE = 50
NO_ENDPOINT = "This client has no webhook endpoint: PUT /v1/webhook-endpoint first."


def secret_context(client_id: str) -> str:
    """The sealing context: a secret copied to another client's row does not open."""
    return f"webhook:{client_id}:secret"


def open_secret(cipher: FieldCipher, endpoint: WebhookEndpoint) -> str:
    return cipher.open(endpoint.secret_sealed, context=secret_context(endpoint.client_id))


def payload_context(delivery_id: uuid.UUID) -> str:
    """The sealing context of a delivery's payload: it opens on its own row only."""
    return f"webhook_delivery:{delivery_id}:payload"


def seal_payload(cipher: FieldCipher, delivery_id: uuid.UUID, payload: dict[str, Any]) -> str:
    """The payload's canonical bytes (`signing.body_of`), sealed: they carry the dispatch
    incident id (docs/rules.md, "Dispatch incident id")."""
    return cipher.seal(signing.body_of(payload).decode(), context=payload_context(delivery_id))


def open_body(cipher: FieldCipher, delivery: WebhookDelivery) -> bytes:
    """The exact bytes to post (and sign): DecryptionError if they do not open."""
    return cipher.open(delivery.payload_sealed, context=payload_context(delivery.id)).encode()


def _new_secret(cipher: FieldCipher, client_id: str) -> tuple[str, str]:
    secret = signing.generate_secret()
    return secret, cipher.seal(secret, context=secret_context(client_id))


@dataclass(frozen=True)
class CheckedUrl:
    """An endpoint URL that passed `check_url`."""

    value: str


async def check_url(url: str, addresses: AddressGuard) -> CheckedUrl:
    """The URL, if the service will post to it: InvalidFields (422) naming why not.

    The host must resolve now, and only to addresses the policy allows; a name that does not
    resolve and one that resolves to a private address get the same reason, so the answer
    tells nothing about the operator's internal names. Every connection checks again. Call
    it outside a transaction: resolving a name may take seconds.
    """
    problem = urls.url_problem(url, addresses.policy)
    if problem is None:
        try:
            await addresses.checked(*urls.host_and_port(url))
        except RefusedAddress:
            problem = urls.UNRESOLVED
    if problem is not None:
        raise InvalidFields([FieldProblem(field="url", reason=problem)])
    return CheckedUrl(url)


@dataclass(frozen=True)
class EndpointResult:
    endpoint: WebhookEndpointOut | WebhookEndpointCreatedOut
    created: bool


async def set_endpoint(
    session: AsyncSession,
    *,
    client_id: str,
    url: CheckedUrl,
    now: datetime,
    cipher: FieldCipher,
) -> EndpointResult:
    """Create the client's endpoint (answering its new secret once) or change its URL; a
    deactivated endpoint is active again, with the secret it had."""
    endpoint = await repository.get_endpoint(session, client_id, for_update=True)
    if endpoint is not None:
        endpoint.url, endpoint.active, endpoint.updated_at = url.value, True, now
        return EndpointResult(WebhookEndpointOut.of(endpoint), created=False)
    secret, sealed = _new_secret(cipher, client_id)
    endpoint = WebhookEndpoint(
        client_id=client_id, url=url.value, secret_sealed=sealed, created_at=now, updated_at=now
    )
    repository.add(session, endpoint)
    shown = WebhookEndpointOut.of(endpoint)
    return EndpointResult(WebhookEndpointCreatedOut(**shown.model_dump(), secret=secret), True)


async def _endpoint(
    session: AsyncSession, client_id: str, *, for_update: bool = True
) -> WebhookEndpoint:
    endpoint = await repository.get_endpoint(session, client_id, for_update=for_update)
    if endpoint is None:
        raise NotFound(NO_ENDPOINT)
    return endpoint


async def get_endpoint(session: AsyncSession, *, client_id: str) -> WebhookEndpointOut:
    return WebhookEndpointOut.of(await _endpoint(session, client_id, for_update=False))


async def deactivate_endpoint(session: AsyncSession, *, client_id: str, now: datetime) -> None:
    """Nothing more is sent; deliveries still waiting are given up when their turn comes."""
    endpoint = await _endpoint(session, client_id)
    endpoint.active, endpoint.updated_at = False, now


async def rotate_secret(
    session: AsyncSession, *, client_id: str, now: datetime, cipher: FieldCipher
) -> str:
    """A new signing secret, answered once; every attempt from now on is signed with it."""
    endpoint = await _endpoint(session, client_id)
    secret, endpoint.secret_sealed = _new_secret(cipher, client_id)
    endpoint.updated_at = now
    return secret


async def enqueue(
    session: AsyncSession,
    *,
    client_id: str,
    event_type: str,
    data: dict[str, Any],
    subject_id: uuid.UUID | None,
    now: datetime,
    cipher: FieldCipher,
) -> bool:
    """Write a delivery of `event_type` with `data` to the client's endpoint, due now, in the
    caller's transaction; False (and nothing written) when the client has no active endpoint.

    The workers' side lane is woken on commit (PostgreSQL NOTIFY); an API handler should also
    call `state.worker.wake(side_lane=True)` after its commit for the in-process worker.
    `data` holds JSON values (uuids and datetimes are written as text) and no personal data:
    it goes to the dispatch system as it is, and is kept sealed until then (`seal_payload`).
    """
    if len(event_type) > MAX_EVENT_TYPE or not EVENT_TYPE.fullmatch(event_type):
        raise ValueError("event types are dotted lower-case names of at most 50 characters")
    payload = signing.payload_of(event_type=event_type, data=data, at=now)
    endpoint = await repository.get_endpoint(session, client_id, for_update=True)
    if endpoint is None or not endpoint.active:
        return False
    delivery_id = uuid.uuid4()
    delivery = WebhookDelivery(
        id=delivery_id,
        client_id=client_id,
        seq=await repository.next_seq(session, client_id),
        event_type=event_type,
        subject_id=subject_id,
        payload_sealed=seal_payload(cipher, delivery_id, payload),
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        created_at=now,
    )
    repository.add(session, delivery)
    await outbox.wake_workers(session, channel=outbox.SIDE_WAKE_CHANNEL)
    return True


async def list_deliveries(
    session: AsyncSession, *, client_id: str, status: DeliveryStatus | None, limit: int
) -> list[WebhookDeliveryOut]:
    rows = await repository.list_deliveries(
        session, client_id=client_id, status=status, limit=limit
    )
    return [WebhookDeliveryOut.of(row) for row in rows]


async def resend(
    session: AsyncSession, *, client_id: str, delivery_id: uuid.UUID, now: datetime
) -> WebhookDeliveryOut:
    """Post a delivered or failed delivery again, due now: the same body and `webhook-id`,
    with attempts and the retry window counted afresh."""
    delivery = await repository.get_delivery(
        session, delivery_id, client_id=client_id, for_update=True
    )
    if delivery is None:
        raise NotFound("No such webhook delivery for this client.")
    if delivery.status not in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
        raise Conflict("The delivery is still waiting to be sent; it is not sent twice.")
    endpoint = await repository.get_endpoint(session, client_id)
    if endpoint is None or not endpoint.active:
        raise Conflict("The webhook endpoint is deactivated: PUT /v1/webhook-endpoint first.")
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.resent_at = now
    delivery.lease_until = None
    await outbox.wake_workers(session, channel=outbox.SIDE_WAKE_CHANNEL)
    return WebhookDeliveryOut.of(delivery)
