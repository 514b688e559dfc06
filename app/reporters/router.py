"""Admin API of reporters (scope `admin`): `/v1/admin/reporters`, the crews who may send
alerts with the form (`/skjema`). An administrator sees and binds reporters only to their
own municipalities."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from app.api.admin import PREFIX, REQUIRE_ADMIN, Admin
from app.api.responses import AUTH_PROBLEMS, INVALID, NOT_FOUND, problem
from app.reporters import service
from app.reporters.schemas import ReporterIn, ReporterOut

router = APIRouter(
    prefix=f"{PREFIX}/reporters",
    tags=["admin: reporters"],
    dependencies=REQUIRE_ADMIN,
    responses=AUTH_PROBLEMS,
)
FOREIGN = problem(
    403,
    "A municipality named, or one the reporter also reports for, is not one you administer",
)


@router.get("", summary="List the reporters of your municipalities")
async def list_reporters(admin: Admin) -> list[ReporterOut]:
    return await service.listed(admin)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Add a reporter (a crew member who may send alerts with the form)",
    description="The reporter signs in at `/skjema` with a one-time SMS link to `mobile`, or "
    "with OIDC by `email` or mobile (as staff do), and may report for `municipalities`.",
    responses={**INVALID, **FOREIGN},
)
async def create_reporter(body: ReporterIn, admin: Admin) -> ReporterOut:
    return await service.create(admin, body)


@router.get("/{reporter_id}", summary="Read a reporter", responses=NOT_FOUND)
async def get_reporter(reporter_id: uuid.UUID, admin: Admin) -> ReporterOut:
    return await service.get(admin, reporter_id)


@router.put(
    "/{reporter_id}",
    summary="Replace a reporter's details and municipalities (reactivates them)",
    responses={**NOT_FOUND, **INVALID, **FOREIGN},
)
async def replace_reporter(reporter_id: uuid.UUID, body: ReporterIn, admin: Admin) -> ReporterOut:
    return await service.replace(admin, reporter_id, body)


@router.post(
    "/{reporter_id}/deactivate",
    summary="Deactivate a reporter: no sign-in, their sessions end at once",
    responses={**NOT_FOUND, **FOREIGN},
)
async def deactivate_reporter(reporter_id: uuid.UUID, admin: Admin) -> ReporterOut:
    return await service.deactivate(admin, reporter_id)
