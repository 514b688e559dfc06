"""The metrics only a process knows: the worker's rounds, timed per engine.

Held in prometheus_client's default registry (one per process, with the process and GC
collectors). A worker run as its own process serves them on `METRICS__WORKER_PORT`
(`serve_worker_metrics`); a worker inside the API shows them on the API's `/metrics`.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import REGISTRY, Counter, Histogram, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

from app.config import Settings


class RoundOutcome(StrEnum):
    OK = "ok"
    FAILED = "failed"


WORKER_ROUNDS = Counter(
    "odvarsel_worker_rounds",
    "Rounds the worker ran, per engine and outcome (failed: the engine raised).",
    ["engine", "outcome"],
)
WORKER_ROUND_SECONDS = Histogram(
    "odvarsel_worker_round_seconds",
    "How long one engine's round took.",
    ["engine"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


def record_round(engine: str, *, seconds: float, failed: bool) -> None:
    """One round of `engine` (its class's fixed `name`), its duration and whether it failed."""
    outcome = RoundOutcome.FAILED if failed else RoundOutcome.OK
    WORKER_ROUNDS.labels(engine=engine, outcome=outcome.value).inc()
    WORKER_ROUND_SECONDS.labels(engine=engine).observe(seconds)


def token_accepted(token: str | None, authorization: str | None) -> bool:
    """Whether an `Authorization` header satisfies the metrics token (always, when none is
    set); compared in constant time."""
    if token is None:
        return True
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())


def _metrics_token(settings: Settings) -> str | None:
    token = settings.metrics.token
    return token.get_secret_value() if token is not None else None


def guarded_wsgi_app(settings: Settings) -> Callable[..., Iterable[bytes]]:
    """prometheus_client's WSGI app for the default registry, behind the metrics token."""
    metrics = make_wsgi_app(REGISTRY)
    token = _metrics_token(settings)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        if not token_accepted(token, environ.get("HTTP_AUTHORIZATION")):
            headers = [("Content-Type", "text/plain"), ("WWW-Authenticate", "Bearer")]
            start_response("401 Unauthorized", headers)
            return [b"a bearer token is required (METRICS__TOKEN)\n"]
        body: Iterable[bytes] = metrics(environ, start_response)
        return body

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log: scrapes every few seconds would drown the worker's own lines."""


def serve_worker_metrics(settings: Settings, *, port: int | None = None) -> WSGIServer | None:
    """Serve `/metrics` at HOST:`port` (METRICS__WORKER_PORT by default) in a thread of its
    own; the server (`shutdown()` stops it), or None when no port is set."""
    port = port if port is not None else settings.metrics.worker_port
    if port is None:
        return None
    server = make_server(
        settings.host,
        port,
        guarded_wsgi_app(settings),
        server_class=ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    threading.Thread(target=server.serve_forever, name="worker-metrics", daemon=True).start()
    return server
