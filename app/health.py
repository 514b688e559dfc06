"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.deps import StateDep
from app.errors import problem_response

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database is reachable",
    responses={503: {"description": "The database cannot be reached"}},
)
async def readyz(state: StateDep) -> JSONResponse:
    try:
        async with state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        return problem_response(
            status=503,
            slug="not-ready",
            title="Database unreachable",
            detail=None,
            instance="/readyz",
        )
    return JSONResponse({"status": "ready"})
