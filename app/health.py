"""Liveness and readiness probes.

Ready means: the database answers, and a worker completed a round recently
(`Settings.worker_ready_within`). With the worker in this process (`WORKER__RUN_IN_APP`)
that worker's own last round counts; otherwise the newest heartbeat any worker wrote to the
database (`app.heartbeat`), since the API cannot see the worker processes themselves.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import heartbeat
from app.deps import StateDep
from app.problems import problem_response

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database is reachable and a worker is running",
    responses={
        503: {"description": "The database cannot be reached, or no worker completed a round"}
    },
)
async def readyz(state: StateDep) -> JSONResponse:
    settings = state.settings
    try:
        async with state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            if settings.worker.run_in_app:
                last_round_at = state.worker.last_round_at
            else:
                last_round_at = await heartbeat.latest(connection)
    except (SQLAlchemyError, OSError):
        return _not_ready("Database unreachable")
    within = settings.worker_ready_within
    if not heartbeat.is_fresh(last_round_at, now=state.clock.now(), within=within):
        return _not_ready(
            "Worker not running",
            f"No worker has completed a round in the last {within.total_seconds():g} seconds: "
            "alerts are stored but not paged.",
        )
    return JSONResponse({"status": "ready"})


def _not_ready(title: str, detail: str | None = None) -> JSONResponse:
    return problem_response(
        status=503, slug="not-ready", title=title, detail=detail, instance="/readyz"
    )
