"""Helpers of the outbound webhook tests: a verifier on the test clock, endpoints, events, a
resolver that knows made-up names, and a listener that counts connections."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.clock import FakeClock
from app.state import AppState
from app.webhooks import service
from devtools.loopback import free_port
from tests.factories import ApiCredentials

TOLERANCE = timedelta(minutes=5)


class ClockedWebhook(Webhook):
    """The library's verifier with its timestamp check made against the test clock.

    The library compares `webhook-timestamp` with `datetime.now`, but the service signs with
    the FakeClock (and CI moves the wall clock with faketime). Only that check is replaced
    (the private method, by its mangled name); the signature check stays the library's.
    """

    def __init__(self, secret: str, clock: FakeClock) -> None:
        super().__init__(secret)
        self._clock = clock

    def _Webhook__verify_timestamp(self, timestamp_header: str) -> datetime:
        try:
            timestamp = datetime.fromtimestamp(float(timestamp_header), tz=UTC)
        except ValueError:
            raise WebhookVerificationError("Invalid Signature Headers") from None
        if abs(timestamp - self._clock.now()) > TOLERANCE:
            raise WebhookVerificationError("Message timestamp too old or too new")
        return timestamp


async def set_endpoint(http: httpx.AsyncClient, client: ApiCredentials, url: str) -> httpx.Response:
    return await http.put("/v1/webhook-endpoint", json={"url": url}, headers=client.headers)


async def create_endpoint(http: httpx.AsyncClient, client: ApiCredentials, url: str) -> str:
    """A new endpoint for `client`; its signing secret."""
    response = await set_endpoint(http, client, url)
    assert response.status_code == 201, response.text
    secret: str = response.json()["secret"]
    return secret


def event(alert_id: uuid.UUID, status: str = "acknowledged") -> dict[str, Any]:
    return {"alert_id": str(alert_id), "status": status}


async def enqueue(
    state: AppState,
    clock: FakeClock,
    client: ApiCredentials,
    alert_id: uuid.UUID | None = None,
    *,
    event_type: str = "alert.acknowledged",
) -> bool:
    """Enqueue one event in a transaction of its own, as the acknowledgement will."""
    alert_id = alert_id or uuid.uuid4()
    async with state.sessions() as session, session.begin():
        return await service.enqueue(
            session,
            client_id=client.client_id,
            event_type=event_type,
            data=event(alert_id, event_type.rpartition(".")[2]),
            subject_id=alert_id,
            now=clock.now(),
            cipher=state.cipher,
        )


async def deliveries(http: httpx.AsyncClient, client: ApiCredentials) -> list[dict[str, Any]]:
    """The client's deliveries as the API lists them, oldest first."""
    response = await http.get("/v1/webhook-deliveries", headers=client.headers)
    assert response.status_code == 200, response.text
    return list(reversed(response.json()))


@dataclass
class FakeResolver:
    """Resolves the names in `names` as given, address literals as the system does (numeric
    only: never DNS), and nothing else; counts the look-ups of each host."""

    names: dict[str, list[str]] = field(default_factory=dict)
    lookups: dict[str, int] = field(default_factory=dict)

    async def __call__(self, host: str, port: int) -> list[str]:
        self.lookups[host] = self.lookups.get(host, 0) + 1
        if host in self.names:
            return self.names[host]
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST
        )
        return [str(info[4][0]) for info in infos]


@dataclass
class ConnectionCounter:
    """A TCP listener on 127.0.0.1 that accepts, counts and closes every connection."""

    port: int = field(default_factory=free_port)
    accepted: int = 0

    async def _accept(self, _reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        writer.close()

    @contextlib.asynccontextmanager
    async def listening(self) -> AsyncIterator[ConnectionCounter]:
        server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        try:
            yield self
        finally:
            server.close()
            await server.wait_closed()
