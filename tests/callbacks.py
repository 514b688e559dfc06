"""A status-callback receiver for tests of what Twilio (or the fake) sends back."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass(frozen=True, slots=True)
class ReceivedCallback:
    url: str
    form: dict[str, str]
    signature: str | None


class CallbackRecorder:
    """A status-callback endpoint for tests: answers 204 and keeps what it was sent."""

    def __init__(self) -> None:
        self.received: list[ReceivedCallback] = []
        self.app = Starlette(routes=[Route("/{path:path}", self._receive, methods=["POST"])])

    async def _receive(self, request: Request) -> Response:
        form = await request.form()
        self.received.append(
            ReceivedCallback(
                url=str(request.url),
                form={key: str(value) for key, value in form.items()},
                signature=request.headers.get("x-twilio-signature"),
            )
        )
        return Response(status_code=204)
