"""A webhook receiver on loopback that records what it is sent, for tests and benchmarks.

It stands in for a dispatch system's endpoint: every POST is recorded (headers and the raw
body, so signatures can be checked) and answered 204 while it is up; while it is down it
answers 503 (recorded apart); while it hangs it does not answer at all. Stopping the server
(leaving :meth:`WebhookReceiver.serving`) makes connections be refused; serving again on
the same port brings it back::

    receiver = WebhookReceiver()
    async with receiver.serving() as url:
        ...  # PUT url as the client's endpoint, drive the worker, read receiver.received
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from devtools.loopback import free_port, serve_loopback

PATH = "/hooks"


@dataclass(frozen=True)
class ReceivedWebhook:
    """One request as it arrived."""

    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class WebhookReceiver:
    """Records webhooks; `down()` answers 503 (`down_status`) until `up()`."""

    port: int = field(default_factory=free_port)
    """Fixed at creation, so the receiver can be stopped and served again at the same URL."""
    down_status: int = 503
    received: list[ReceivedWebhook] = field(default_factory=list)
    """Requests answered 204, in order of arrival."""
    refused: list[ReceivedWebhook] = field(default_factory=list)
    """Requests answered with `down_status`."""
    is_up: bool = True
    _hanging: asyncio.Event | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"

    def up(self) -> None:
        self.is_up = True

    def down(self) -> None:
        self.is_up = False

    def hang(self) -> None:
        """Requests get no answer until `release()` (a receiver that times out)."""
        self._hanging = asyncio.Event()

    def release(self) -> None:
        if self._hanging is not None:
            self._hanging.set()
            self._hanging = None

    async def _receive(self, request: Request) -> Response:
        if self._hanging is not None:
            await self._hanging.wait()
        webhook = ReceivedWebhook(
            path=request.url.path, headers=dict(request.headers), body=await request.body()
        )
        if not self.is_up:
            self.refused.append(webhook)
            return Response(status_code=self.down_status)
        self.received.append(webhook)
        return Response(status_code=204)

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[str]:
        """Serve on 127.0.0.1:`port` until the block exits; yields the endpoint URL."""
        app = Starlette(routes=[Route(PATH, self._receive, methods=["POST"])])
        async with serve_loopback(app, port=self.port):
            yield self.url
