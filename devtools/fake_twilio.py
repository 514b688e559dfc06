"""A fake Twilio Messages API on loopback, for tests, benchmarks and multi-process tests.

It speaks enough of the real API that the official twilio library talks to it unchanged:
Basic auth, Twilio's validation and error JSON, a message resource on 201, and status
callbacks signed as Twilio signs them. What happens per destination number is set with
:meth:`FakeTwilio.set_behaviour` or ``POST /_fake/behaviours``.

In-process::

    async with FakeTwilio.running(auth_token="t", clock=clock) as fake:
        settings = SmsSettings(backend="twilio", twilio_base_url=fake.base_url, ...)

As a process (prints ``FAKE_TWILIO_BASE_URL=http://127.0.0.1:PORT`` once it listens)::

    python -m devtools.fake_twilio --port 0 --auth-token t [--no-callbacks]

``status_callbacks=False`` (``--no-callbacks``) posts no status callbacks: a message takes its
behaviour's final status at once. Signing and posting three callbacks per SMS costs more than
the rest of the fake, so benchmarks that measure throughput switch them off.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import contextlib
import copy
import math
import re
import secrets
import signal
import threading
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Literal
from xml.etree import ElementTree

import httpx
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from app.clock import Clock, SystemClock
from app.notify.gsm7 import is_gsm7, septet_length
from devtools.loopback import LoopbackServer, serve_loopback

API_VERSION = "2010-04-01"
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
ALPHANUMERIC_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
MAX_BODY_CHARS = 1600
REJECTIONS = {
    21211: "Invalid 'To' Phone Number: {to}",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number {to} is not a valid mobile number",
}
MESSAGES_PATH = f"/{API_VERSION}/Accounts/{{account_sid}}/Messages.json"

BehaviourKind = Literal[
    "deliver", "fail_callback", "undelivered", "reject_permanent", "server_error", "rate_limited"
]

# Status callbacks per behaviour: (MessageStatus, ErrorCode); the code can be overridden.
_CALLBACKS: dict[str, list[tuple[str, int | None]]] = {
    "deliver": [("queued", None), ("sent", None), ("delivered", None)],
    "fail_callback": [("queued", None), ("failed", 30003)],
    "undelivered": [("queued", None), ("sent", None), ("undelivered", 30005)],
}


class Behaviour(BaseModel):
    """What the fake does for messages to `to` ("*" is the default for every other number).

    server_error / rate_limited answer 503 / 429 `times` times, then accept and deliver.
    `forge` signs callbacks with a wrong key; `delay_seconds` holds the API answer back.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    to: str = "*"
    kind: BehaviourKind = "deliver"
    times: int = Field(default=1, ge=0)
    error_code: int | None = None
    forge: bool = False
    delay_seconds: float = Field(default=0.0, ge=0, le=60)


_BEHAVIOURS = TypeAdapter(Behaviour | list[Behaviour])


@dataclass(slots=True)
class CallbackAttempt:
    status: str
    http_status: int | None
    error: str | None = None


@dataclass(slots=True)
class FakeMessage:
    """One accepted message, with when it arrived (perf_counter and the fake's clock)."""

    sid: str
    account_sid: str
    to: str
    from_: str
    body: str
    status_callback: str | None
    num_segments: int
    received_perf: float
    received_at: datetime
    status: str = "queued"
    callbacks: list[CallbackAttempt] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["from"] = data.pop("from_")
        data["received_at"] = self.received_at.isoformat()
        return data


def num_segments(body: str) -> int:
    """SMS segments Twilio bills: GSM-7 160 (153 when split), else UCS-2 70 (67 when split)."""
    if is_gsm7(body):
        length, single, part = septet_length(body), 160, 153
    else:
        length, single, part = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if length <= single else math.ceil(length / part)


def twilio_error(status: int, code: int, message: str) -> JSONResponse:
    """An error in Twilio's own JSON shape (which the twilio library turns into exceptions)."""
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    content = {"code": code, "message": message, "more_info": more_info, "status": status}
    headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if status == 401 else None
    return JSONResponse(content, status_code=status, headers=headers)


@dataclass(frozen=True)
class InboundReply:
    """What the service answered an inbound SMS: HTTP status and the TwiML reply texts."""

    status: int
    messages: list[str]


class FakeTwilio:
    """The fake's state and its Starlette app; serve it with :meth:`serve` or :meth:`running`.

    State is behind a threading lock, so the in-process API may be called from any thread
    while the server answers hundreds of concurrent requests.
    """

    def __init__(
        self,
        *,
        auth_token: str,
        account_sid: str | None = None,
        callback_delay: float = 0.0,
        status_callbacks: bool = True,
        clock: Clock,
    ) -> None:
        self.auth_token = auth_token
        self.account_sid = account_sid  # None: any AccountSid, as long as the token matches
        self.callback_delay = callback_delay
        self.status_callbacks = status_callbacks
        self.clock = clock  # date_created and received_at; tests pass their fake clock
        self._lock = threading.Lock()
        self._messages: dict[str, FakeMessage] = {}
        self._behaviours: dict[str, Behaviour] = {}
        self._failures_left: dict[str, int] = {}
        self._pending = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._http: httpx.AsyncClient | None = None
        self._base_url: str | None = None
        self.app = Starlette(
            routes=[
                Route(MESSAGES_PATH, self._create, methods=["POST"]),
                Route("/_fake/health", self._health, methods=["GET"]),
                Route("/_fake/messages", self._list, methods=["GET"]),
                Route("/_fake/behaviours", self._set_behaviours, methods=["POST"]),
                Route("/_fake/reset", self._reset, methods=["POST"]),
            ],
            lifespan=self._lifespan,
        )

    @classmethod
    @contextlib.asynccontextmanager
    async def running(
        cls,
        *,
        auth_token: str,
        account_sid: str | None = None,
        callback_delay: float = 0.0,
        status_callbacks: bool = True,
        clock: Clock,
        port: int = 0,
    ) -> AsyncIterator[FakeTwilio]:
        """A fake serving on 127.0.0.1 in the current event loop, stopped on exit."""
        fake = cls(
            auth_token=auth_token,
            account_sid=account_sid,
            callback_delay=callback_delay,
            status_callbacks=status_callbacks,
            clock=clock,
        )
        async with fake.serve(port=port):
            yield fake

    @contextlib.asynccontextmanager
    async def serve(self, *, port: int = 0) -> AsyncIterator[LoopbackServer]:
        async with serve_loopback(self.app, port=port) as server:
            self._base_url = server.base_url
            try:
                yield server
            finally:
                self._base_url = None

    @property
    def base_url(self) -> str:
        """Where the fake listens; give it to SmsSettings.twilio_base_url."""
        if self._base_url is None:
            raise RuntimeError("the fake is not running")
        return self._base_url

    def set_behaviour(
        self,
        to: str,
        kind: BehaviourKind = "deliver",
        *,
        times: int = 1,
        error_code: int | None = None,
        forge: bool = False,
        delay_seconds: float = 0.0,
    ) -> None:
        rule = Behaviour(
            to=to,
            kind=kind,
            times=times,
            error_code=error_code,
            forge=forge,
            delay_seconds=delay_seconds,
        )
        self._set(rule)

    def messages(self) -> list[FakeMessage]:
        """Copies of the accepted messages, oldest first."""
        with self._lock:
            return [copy.deepcopy(message) for message in self._messages.values()]

    def reset(self) -> None:
        """Forgets messages and behaviours; callbacks already under way still run."""
        with self._lock:
            self._messages.clear()
            self._behaviours.clear()
            self._failures_left.clear()

    async def wait_for_callbacks(self, *, within: float = 5.0) -> None:
        """Waits until every accepted message has had all its status callbacks (in-process)."""
        deadline = time.monotonic() + within
        while self._pending_count():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self._pending_count()} messages still have callbacks due")
            await asyncio.sleep(0.01)

    def _pending_count(self) -> int:
        with self._lock:
            return self._pending

    def _set(self, rule: Behaviour) -> None:
        with self._lock:
            self._behaviours[rule.to] = rule
            self._failures_left[rule.to] = rule.times

    def _rule_for(self, to: str) -> Behaviour:
        with self._lock:
            return self._behaviours.get(to) or self._behaviours.get("*") or Behaviour()

    def _take_failure(self, rule: Behaviour) -> bool:
        with self._lock:
            left = self._failures_left.get(rule.to, 0)
            if left > 0:
                self._failures_left[rule.to] = left - 1
            return left > 0

    @contextlib.asynccontextmanager
    async def _lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        # trust_env=False: a proxy from the environment must not carry loopback callbacks.
        async with httpx.AsyncClient(timeout=10.0, trust_env=False) as http:
            self._http = http
            try:
                yield
            finally:
                if self._tasks:
                    _, late = await asyncio.wait(self._tasks, timeout=5.0)
                    for task in late:
                        task.cancel()
                    await asyncio.gather(*late, return_exceptions=True)
                self._http = None

    def _authenticated_sid(self, request: Request) -> str | None:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        if not secrets.compare_digest(password.encode(), self.auth_token.encode()):
            return None
        if not user or (self.account_sid is not None and user != self.account_sid):
            return None
        return user

    async def _create(self, request: Request) -> Response:
        # Receive times are taken first, so benchmarks measure arrival, not our processing.
        received_perf, received_at = time.perf_counter(), self.clock.now()
        account_sid = self._authenticated_sid(request)
        if account_sid is None:
            return twilio_error(401, 20003, "Authenticate")
        if account_sid != request.path_params["account_sid"]:
            return twilio_error(404, 20404, "The requested resource was not found")
        form = await request.form()
        to, from_, body, callback = (
            str(form.get(name) or "") for name in ("To", "From", "Body", "StatusCallback")
        )
        rule = self._rule_for(to)
        if rule.delay_seconds:
            await asyncio.sleep(rule.delay_seconds)
        if rule.kind == "server_error" and self._take_failure(rule):
            return twilio_error(503, 20503, "Service Unavailable")
        if rule.kind == "rate_limited" and self._take_failure(rule):
            return twilio_error(429, 20429, "Too Many Requests")
        if invalid := _validate(to, from_, body, callback):
            return invalid
        if rule.kind == "reject_permanent":
            code = rule.error_code or 21614
            return twilio_error(400, code, REJECTIONS.get(code, "Message refused").format(to=to))
        message = FakeMessage(
            sid="SM" + secrets.token_hex(16),
            account_sid=account_sid,
            to=to,
            from_=from_,
            body=body,
            status_callback=callback or None,
            num_segments=num_segments(body),
            received_perf=received_perf,
            received_at=received_at,
        )
        if not self.status_callbacks:
            answer = JSONResponse(_resource(message), status_code=201)  # "queued", as Twilio
            message.status = _CALLBACKS.get(rule.kind, _CALLBACKS["deliver"])[-1][0]
            with self._lock:
                self._messages[message.sid] = message
            return answer
        with self._lock:
            self._messages[message.sid] = message
            self._pending += 1
        # Callbacks start once the 201 is on its way, as with Twilio.
        spawn = BackgroundTask(self._spawn_callbacks, message.sid, rule)
        return JSONResponse(_resource(message), status_code=201, background=spawn)

    async def _spawn_callbacks(self, sid: str, rule: Behaviour) -> None:
        task = asyncio.create_task(self._run_callbacks(sid, rule))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_callbacks(self, sid: str, rule: Behaviour) -> None:
        try:
            with self._lock:
                message = self._messages.get(sid)
                target = copy.copy(message) if message else None
            for status, default_code in _CALLBACKS.get(rule.kind, _CALLBACKS["deliver"]):
                if self.callback_delay:
                    await asyncio.sleep(self.callback_delay)
                code = (rule.error_code or default_code) if default_code else None
                attempt = None
                if target is not None and target.status_callback:
                    attempt = await self._post_callback(target, status, code, forge=rule.forge)
                with self._lock:
                    if (stored := self._messages.get(sid)) is not None:
                        stored.status = status
                        if attempt is not None:
                            stored.callbacks.append(attempt)
        finally:
            with self._lock:
                self._pending -= 1

    async def _post_callback(
        self, message: FakeMessage, status: str, code: int | None, *, forge: bool
    ) -> CallbackAttempt:
        assert message.status_callback is not None and self._http is not None
        params = {
            "MessageSid": message.sid,
            "SmsSid": message.sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "AccountSid": message.account_sid,
            "To": message.to,
            "From": message.from_,
            "ApiVersion": API_VERSION,
        }
        if code is not None:
            params["ErrorCode"] = str(code)
        key = "forged-" + self.auth_token if forge else self.auth_token
        signature = RequestValidator(key).compute_signature(message.status_callback, params)
        try:
            response = await self._http.post(
                message.status_callback, data=params, headers={"X-Twilio-Signature": signature}
            )
        except httpx.HTTPError as exc:
            return CallbackAttempt(status, None, f"{type(exc).__name__}: {exc}")
        return CallbackAttempt(status, response.status_code)

    async def send_inbound(
        self, *, url: str, from_: str, to: str, body: str, forge: bool = False
    ) -> InboundReply:
        """Post an SMS from `from_` to the service's inbound webhook at `url`, signed as
        Twilio signs it (with a wrong key if `forge`); the TwiML reply's messages."""
        params = {
            "MessageSid": "SM" + secrets.token_hex(16),
            "SmsSid": "",
            "AccountSid": self.account_sid or "AC" + "0" * 32,
            "From": from_,
            "To": to,
            "Body": body,
            "NumMedia": "0",
            "ApiVersion": API_VERSION,
        }
        params["SmsSid"] = params["MessageSid"]
        key = "forged-" + self.auth_token if forge else self.auth_token
        signature = RequestValidator(key).compute_signature(url, params)
        headers = {"X-Twilio-Signature": signature}
        async with httpx.AsyncClient() as client:
            response = await client.post(url, data=params, headers=headers)
        replies: list[str] = []
        if response.status_code == 200:
            root = ElementTree.fromstring(response.text)  # noqa: S314 - our own service's TwiML
            replies = [element.text or "" for element in root.iter("Message")]
        return InboundReply(status=response.status_code, messages=replies)

    async def _health(self, _request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def _list(self, _request: Request) -> Response:
        return JSONResponse([message.to_json() for message in self.messages()])

    async def _set_behaviours(self, request: Request) -> Response:
        try:
            parsed = _BEHAVIOURS.validate_json(await request.body())
        except ValidationError as exc:
            return JSONResponse(
                {"detail": exc.errors(include_url=False, include_context=False)}, status_code=422
            )
        for rule in parsed if isinstance(parsed, list) else [parsed]:
            self._set(rule)
        with self._lock:
            current = [rule.model_dump() for rule in self._behaviours.values()]
        return JSONResponse(current)

    async def _reset(self, _request: Request) -> Response:
        self.reset()
        return Response(status_code=204)


def _validate(to: str, from_: str, body: str, callback: str) -> JSONResponse | None:
    """Twilio's checks, in Twilio's order, with its error codes."""
    if not to:
        return twilio_error(400, 21604, "A 'To' phone number is required.")
    if not from_:
        return twilio_error(400, 21603, "A 'From' phone number is required.")
    if not body:
        return twilio_error(400, 21602, "Message body is required.")
    if not E164.match(to):
        return twilio_error(400, 21211, f"Invalid 'To' Phone Number: {to}")
    if not (E164.match(from_) or ALPHANUMERIC_SENDER.match(from_)):
        return twilio_error(400, 21212, f"Invalid From Number (caller ID): {from_}")
    if len(body) > MAX_BODY_CHARS:
        return twilio_error(
            400, 21617, "The concatenated message body exceeds the 1600 character limit."
        )
    if callback and not callback.startswith(("http://", "https://")):
        return twilio_error(400, 21609, "Invalid StatusCallback url")
    return None


def _resource(message: FakeMessage) -> dict[str, object]:
    """A Message resource as the API returns it on create."""
    created = format_datetime(message.received_at)
    uri = f"/{API_VERSION}/Accounts/{message.account_sid}/Messages/{message.sid}"
    return {
        "account_sid": message.account_sid,
        "api_version": API_VERSION,
        "body": message.body,
        "date_created": created,
        "date_sent": None,
        "date_updated": created,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": message.from_,
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": str(message.num_segments),
        "price": None,
        "price_unit": "USD",
        "sid": message.sid,
        "status": "queued",
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": message.to,
        "uri": f"{uri}.json",
    }


async def _serve_until_signalled(args: argparse.Namespace) -> None:
    fake = FakeTwilio(
        auth_token=args.auth_token,
        account_sid=args.account_sid,
        callback_delay=args.callback_delay,
        status_callbacks=args.callbacks,
        clock=SystemClock(),
    )
    async with fake.serve(port=args.port) as server:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, server.stop)
        print(f"FAKE_TWILIO_BASE_URL={server.base_url}", flush=True)
        await server.wait()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A fake Twilio Messages API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--auth-token", required=True)
    parser.add_argument("--account-sid", default=None, help="default: accept any AccountSid")
    parser.add_argument("--callback-delay", type=float, default=0.0, help="seconds per callback")
    parser.add_argument(
        "--no-callbacks",
        dest="callbacks",
        action="store_false",
        help="post no status callbacks (messages take their final status at once)",
    )
    asyncio.run(_serve_until_signalled(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
