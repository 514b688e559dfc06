"""Admin API for duty rosters (scope `admin`): rotations, shifts, overrides, calendar import,
who is on duty, and roster holes."""

from __future__ import annotations

import uuid
from datetime import UTC, timedelta
from email.message import Message
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from app.api.admin import PREFIX, REQUIRE_ADMIN, Admin
from app.api.responses import AUTH_PROBLEMS, INVALID, NOT_FOUND
from app.errors import DomainError
from app.instants import BoundedInstant
from app.problems import Problem
from app.roster.rota import service as rota_service
from app.roster.rota.schemas import (
    OnDutyOut,
    OverrideIn,
    OverrideOut,
    RosterHolesOut,
    RotaImportOut,
    RotationIn,
    RotationOut,
    ShiftIn,
    ShiftOut,
)

router = APIRouter(
    prefix=f"{PREFIX}/teams/{{team_id}}",
    tags=["admin: rosters"],
    dependencies=REQUIRE_ADMIN,
    responses=AUTH_PROBLEMS,
)

MAX_HOLE_DAYS = 92
MAX_IMPORT_DAYS = 366
ICS_EXAMPLE = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kommune//Vaktplan//NO\r\nBEGIN:VEVENT\r\n"
    "UID:vakt-1\r\nSUMMARY:Vakt ressursteam\r\nDTSTART;TZID=Europe/Oslo:20261130T080000\r\n"
    "DTEND;TZID=Europe/Oslo:20261207T080000\r\nRRULE:FREQ=WEEKLY;INTERVAL=2\r\n"
    "ATTENDEE;CN=Kari Nordmann:mailto:kari.nordmann@fredrikstad.kommune.no\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)

From = Annotated[BoundedInstant | None, Query(alias="from", description="Default: now.")]
To = Annotated[BoundedInstant | None, Query(alias="to", description="Default: no end.")]


class UnsupportedMediaType(DomainError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


@router.post(
    "/rotations",
    status_code=status.HTTP_201_CREATED,
    summary="Add a rotation",
    responses={**NOT_FOUND, **INVALID},
)
async def create_rotation(team_id: uuid.UUID, rotation_in: RotationIn, admin: Admin) -> RotationOut:
    return await rota_service.create_rotation(admin, team_id=team_id, rotation_in=rotation_in)


@router.get("/rotations", summary="List rotations", responses=NOT_FOUND)
async def list_rotations(team_id: uuid.UUID, admin: Admin) -> list[RotationOut]:
    return await rota_service.list_rotations(admin, team_id=team_id)


@router.delete(
    "/rotations/{rotation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a rotation",
    responses=NOT_FOUND,
)
async def delete_rotation(team_id: uuid.UUID, rotation_id: uuid.UUID, admin: Admin) -> None:
    await rota_service.delete_rotation(admin, team_id=team_id, rotation_id=rotation_id)


@router.post(
    "/shifts",
    status_code=status.HTTP_201_CREATED,
    summary="Add a one-off shift",
    responses={**NOT_FOUND, **INVALID},
)
async def create_shift(team_id: uuid.UUID, shift_in: ShiftIn, admin: Admin) -> ShiftOut:
    return await rota_service.create_shift(admin, team_id=team_id, shift_in=shift_in)


@router.get(
    "/shifts",
    summary="List shifts overlapping a period",
    responses={**NOT_FOUND, **INVALID},
)
async def list_shifts(
    team_id: uuid.UUID, admin: Admin, start: From = None, end: To = None
) -> list[ShiftOut]:
    return await rota_service.list_shifts(admin, team_id=team_id, start=start or admin.now, end=end)


@router.delete(
    "/shifts/{shift_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a shift",
    responses=NOT_FOUND,
)
async def delete_shift(team_id: uuid.UUID, shift_id: uuid.UUID, admin: Admin) -> None:
    await rota_service.delete_shift(admin, team_id=team_id, shift_id=shift_id)


@router.post(
    "/overrides",
    status_code=status.HTTP_201_CREATED,
    summary="Add an override (sickness, holiday, swap)",
    responses={**NOT_FOUND, **INVALID},
)
async def create_override(team_id: uuid.UUID, override_in: OverrideIn, admin: Admin) -> OverrideOut:
    return await rota_service.create_override(admin, team_id=team_id, override_in=override_in)


@router.get(
    "/overrides",
    summary="List overrides overlapping a period",
    responses={**NOT_FOUND, **INVALID},
)
async def list_overrides(
    team_id: uuid.UUID, admin: Admin, start: From = None, end: To = None
) -> list[OverrideOut]:
    return await rota_service.list_overrides(
        admin, team_id=team_id, start=start or admin.now, end=end
    )


@router.delete(
    "/overrides/{override_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove an override",
    responses=NOT_FOUND,
)
async def delete_override(team_id: uuid.UUID, override_id: uuid.UUID, admin: Admin) -> None:
    await rota_service.delete_override(admin, team_id=team_id, override_id=override_id)


@router.post(
    "/rota-import",
    summary="Import shifts from an iCalendar (.ics) file",
    description="Send the file as the body with `Content-Type: text/calendar`. Every event "
    "occurrence in the window becomes a shift for each attendee (or, without attendees, for "
    "the member named by the title), matched to active members by email, then by name. "
    "Shifts from earlier imports that overlap the window are replaced, so importing the same "
    "calendar again is safe; manual shifts stay. Events that give no shift are listed in "
    "`unmatched`. With `dry_run=true` nothing is stored.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/calendar": {"schema": {"type": "string"}, "example": ICS_EXAMPLE}},
        }
    },
    responses={
        **NOT_FOUND,
        413: {"model": Problem, "description": "The file is too large"},
        415: {"model": Problem, "description": "The body is not text/calendar"},
        422: {"model": Problem, "description": "The file cannot be read as a calendar"},
    },
)
async def import_rota(
    team_id: uuid.UUID,
    request: Request,
    admin: Admin,
    start: From = None,
    days: Annotated[int, Query(ge=1, le=MAX_IMPORT_DAYS, description="Window length")] = 28,
    dry_run: bool = False,
) -> RotaImportOut:
    content_type = Message()
    content_type["content-type"] = request.headers.get("content-type", "")
    if content_type.get_content_type() != "text/calendar":
        raise UnsupportedMediaType(
            "Send the calendar as the body with Content-Type: text/calendar."
        )
    data = await request.body()
    window_start = (start or admin.now).astimezone(UTC)
    return await rota_service.import_rota(
        admin,
        team_id=team_id,
        data=data,
        window_start=window_start,
        window_end=window_start + timedelta(days=days),
        dry_run=dry_run,
    )


@router.get(
    "/on-duty",
    summary="Who is on duty now, or at a given instant",
    description="The answer the escalation engine would use: deactivated members are never "
    "on duty. Give `at` with an offset (`Z`, or `+01:00` encoded as `%2B01:00`).",
    responses={**NOT_FOUND, **INVALID},
)
async def on_duty(
    team_id: uuid.UUID,
    admin: Admin,
    at: Annotated[BoundedInstant | None, Query(description="Default: now.")] = None,
) -> OnDutyOut:
    return await rota_service.on_duty(admin, team_id=team_id, at=(at or admin.now).astimezone(UTC))


@router.get(
    "/roster-holes",
    summary="Periods in the coming days when nobody is on duty",
    description="An alert in a hole pages the fallback number at once and tells the leader.",
    responses={**NOT_FOUND, **INVALID},
)
async def roster_holes(
    team_id: uuid.UUID, admin: Admin, days: Annotated[int, Query(ge=1, le=MAX_HOLE_DAYS)] = 7
) -> RosterHolesOut:
    start = admin.now.astimezone(UTC)
    return await rota_service.holes(
        admin, team_id=team_id, start=start, end=start + timedelta(days=days)
    )
