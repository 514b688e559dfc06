"""`GET /metrics`: the process's metrics and those read from the database, in Prometheus'
text format, behind the optional `METRICS__TOKEN`."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from app.db import describe_error
from app.deps import StateDep
from app.errors import NotFound, Unauthorized
from app.metrics.database import database_metrics
from app.metrics.process import token_accepted
from app.state import AppState

log = logging.getLogger(__name__)

router = APIRouter(tags=["operations"])


class _Snapshot(Collector):
    """Metrics collected already, for a registry of one scrape."""

    def __init__(self, metrics: Sequence[Metric]) -> None:
        self.metrics = metrics

    def collect(self) -> Iterable[Metric]:
        return self.metrics


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    description="Alerts received, time to first SMS and to acknowledgement, the outbox, "
    "delivery failures, overdue follow-up steps, roster holes and the worker's rounds, in "
    "Prometheus' text format. Labels are enum values only; nothing personal. With "
    "`METRICS__TOKEN` set, only `Authorization: Bearer <token>` is answered; 404 when "
    "`METRICS__ENABLED=false`.",
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus' text exposition format (`text/plain; version=…`)",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        401: {"description": "METRICS__TOKEN is set and the request did not give it"},
        404: {"description": "Metrics are off (METRICS__ENABLED=false)"},
    },
)
async def metrics(request: Request, state: StateDep) -> Response:
    settings = state.settings.metrics
    if not settings.enabled:
        raise NotFound("Metrics are off on this instance.")
    token = settings.token.get_secret_value() if settings.token is not None else None
    if not token_accepted(token, request.headers.get("authorization")):
        raise Unauthorized(
            "Send the metrics token as `Authorization: Bearer <token>`.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot([*REGISTRY.collect(), *await _from_database(state)]))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


async def _from_database(state: AppState) -> list[Metric]:
    """The database's metrics and `odvarsel_database_up`; without the former when the
    database does not answer (the process's metrics are still worth a scrape).

    Its own read-only transaction, not the request's `TxSession`: a database that is down
    must give an answer here, not an error.
    """
    try:
        async with state.sessions() as session, session.begin():
            found = list(await database_metrics(session, now=state.clock.now()))
    except (SQLAlchemyError, OSError) as exc:
        log.error("metrics not read from the database", extra=describe_error(exc))
        found, up = [], 0
    else:
        up = 1
    doc = "Whether this scrape could read the database's metrics."
    return [*found, GaugeMetricFamily("odvarsel_database_up", doc, value=up)]
