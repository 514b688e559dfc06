"""ASGI middleware: a request id on every answer and log line, a request body size limit, a
request log without personal data, and the answer to OPTIONS and to methods a path does not
take."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logging import current_request_id
from app.paths import public_path, route_index
from app.problems import problem_response

log = logging.getLogger("odvarsel.request")


class HttpMiddleware:
    """An ASGI middleware for HTTP requests: anything else (lifespan), and paths under
    `skip_prefixes` (mounted apps that check and answer for themselves), pass through
    untouched; the rest is `handle`d."""

    def __init__(self, app: ASGIApp, *, skip_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.skip_prefixes = skip_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip_prefixes):
            await self.app(scope, receive, send)
        else:
            await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,63}")
_ID_NUMBER = re.compile(r"[0-9]{11}")
"""Eleven digits in a row: a national identity number's shape, never logged."""


def request_id_of(scope: Scope) -> str:
    """The caller's `X-Request-ID` when it is sane (1-64 printable characters of an id, and
    nothing shaped like a national identity number), else a new one."""
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            given: str = value.decode("latin-1")
            if _SANE_REQUEST_ID.fullmatch(given) and not _ID_NUMBER.search(given):
                return given
            break
    return uuid.uuid4().hex


def request_id_headers() -> dict[str, str]:
    """`X-Request-ID` of the request being handled, for an answer made outside `RequestId`
    (Starlette's ServerErrorMiddleware answers a 500 from outside every middleware)."""
    request_id = current_request_id.get()
    return {REQUEST_ID_HEADER: request_id} if request_id is not None else {}


class RequestId(HttpMiddleware):
    """Gives each request an id (`request_id_of`), answers it in `X-Request-ID` and puts it
    on every log line written while the request is handled (`app.logging`).

    After an error the id stays set in the request's context (its own task under uvicorn),
    so the 500 handler outside this middleware logs and answers it too."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = request_id_of(scope)
        reset = current_request_id.set(request_id)

        async def with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        await self.app(scope, receive, with_id)
        current_request_id.reset(reset)


class BodyTooLarge(Exception):
    pass


class BodySizeLimit(HttpMiddleware):
    """Refuse bodies over `max_bytes` with 413, by Content-Length or while streaming.

    A chunked body is only found too large while the app reads it; whatever the app answers
    then (FastAPI says 400, "error parsing the body") is replaced by the 413.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
        received = 0
        too_large = False
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            if too_large:
                raise BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if too_large and not response_started:
                return  # the app's answer to a body it could not read: replaced by the 413
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if response_started:
                raise
        if too_large and not response_started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            status=413,
            slug="body-too-large",
            title="Request body too large",
            detail=f"The limit is {self.max_bytes} bytes. Nothing was stored.",
            instance=public_path(scope),
        )
        await response(scope, receive, send)


class MethodGate(HttpMiddleware):
    """OPTIONS, and a method the path does not take (405), answered with the path's `Allow`.

    FastAPI makes one route per method, and Starlette's 405 lists only the methods of the
    first route whose path matched (`Allow: POST` where GET is served too); OPTIONS was such
    a 405. The methods of a path are those of every route matching it: the methods the
    OpenAPI document declares for it, and OPTIONS. Paths no route knows (404) and mounted
    apps (`skip_prefixes`, the staff pages) are left to the router.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        methods = route_index(scope["app"]).methods_of(scope["path"])
        if methods is None or scope["method"] in methods:
            await self.app(scope, receive, send)
            return
        allow = ", ".join(sorted(methods | {"OPTIONS"}))
        response = (
            Response(status_code=204, headers={"Allow": allow})
            if scope["method"] == "OPTIONS"
            else problem_response(
                status=405,
                slug="http-405",
                title="Method Not Allowed",
                detail=f"This path takes {allow}.",
                instance=public_path(scope),
                headers={"Allow": allow},
            )
        )
        await response(scope, receive, send)


class RequestLog(HttpMiddleware):
    """One structured line per request: method, route template, status, duration.

    Never bodies, and never the raw path: a path can hold a value typed in the wrong place."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status: dict[str, Any] = {"code": 500}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": public_path(scope),
                    "status": status["code"],
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
