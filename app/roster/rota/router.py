"""Admin API for duty rosters (scope `admin`): rotations, shifts, overrides, calendar import,
who is on duty, and roster holes. Rotations, shifts and overrides are added and removed by the
same routes over their kind (`rota_service.Entries`), and shifts and overrides listed so."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, timedelta
from email.message import Message
from types import GenericAlias
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Query, Request, status

from app.api.admin import PREFIX, REQUIRE_ADMIN, Admin, AdminScope
from app.api.responses import AUTH_PROBLEMS, INVALID, NOT_FOUND
from app.errors import DomainError
from app.instants import BoundedInstant
from app.problems import Problem
from app.roster.rota import service as rota_service
from app.roster.rota.repository import TimedRow
from app.roster.rota.schemas import (
    OnDutyOut,
    OverrideIn,
    RosterHolesOut,
    RotaImportOut,
    RotationIn,
    RotationOut,
    ShiftIn,
)
from app.roster.rota.service import OVERRIDES, ROTATIONS, SHIFTS, Entries, Out

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

In = TypeVar("In", RotationIn, ShiftIn, OverrideIn)
"""What adding a rotation, a shift or an override reads."""
E = TypeVar("E", bound=Callable[..., Awaitable[Any]])
"""An endpoint."""


class UnsupportedMediaType(DomainError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


def _mount_create(
    entries: Entries[Any, Out],
    body_type: type[In],
    create: Callable[[AdminScope, uuid.UUID, In], Awaitable[Out]],
    *,
    summary: str,
) -> None:
    """POST /{name}s: add one to the team."""

    async def endpoint(team_id: uuid.UUID, body: In, admin: Admin) -> Out:
        return await create(admin, team_id, body)

    router.add_api_route(
        f"/{entries.name}s",
        _annotated(endpoint, {"body": body_type}),
        methods=["POST"],
        name=f"create_{entries.name}",
        status_code=status.HTTP_201_CREATED,
        summary=summary,
        response_model=entries.out,
        responses={**NOT_FOUND, **INVALID},
    )


def _mount_list(entries: Entries[TimedRow, Out], *, summary: str) -> None:
    """GET /{name}s: the team's shifts or overrides overlapping a period."""

    async def endpoint(
        team_id: uuid.UUID, admin: Admin, start: From = None, end: To = None
    ) -> list[Out]:
        return await rota_service.list_overlapping(
            admin, entries, team_id=team_id, start=start or admin.now, end=end
        )

    router.add_api_route(
        f"/{entries.name}s",
        endpoint,
        methods=["GET"],
        name=f"list_{entries.name}s",
        summary=summary,
        response_model=GenericAlias(list, (entries.out,)),  # list[ShiftOut], list[OverrideOut]
        responses={**NOT_FOUND, **INVALID},
    )


def _mount_delete(entries: Entries[Any, Any], *, summary: str) -> None:
    """DELETE /{name}s/{{name}_id}: remove one of the team's."""

    async def endpoint(team_id: uuid.UUID, entry_id: uuid.UUID, admin: Admin) -> None:
        await rota_service.delete_entry(admin, entries, team_id=team_id, entry_id=entry_id)

    id_name = f"{entries.name}_id"
    router.add_api_route(
        f"/{entries.name}s/{{{id_name}}}",
        _annotated(endpoint, {"entry_id": Annotated[uuid.UUID, Path(alias=id_name)]}),
        methods=["DELETE"],
        name=f"delete_{entries.name}",
        status_code=status.HTTP_204_NO_CONTENT,
        summary=summary,
        responses=NOT_FOUND,
    )


def _annotated(endpoint: E, annotations: dict[str, Any]) -> E:
    """The endpoint with these parameters' annotations replaced by the kind's types: FastAPI
    reads them at run time, where the written ones are type variables or generic names."""
    signature = inspect.signature(endpoint)
    endpoint.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[
            p.replace(annotation=annotations.get(p.name, p.annotation))
            for p in signature.parameters.values()
        ]
    )
    return endpoint


_mount_create(ROTATIONS, RotationIn, rota_service.create_rotation, summary="Add a rotation")


@router.get("/rotations", summary="List rotations", responses=NOT_FOUND)
async def list_rotations(team_id: uuid.UUID, admin: Admin) -> list[RotationOut]:
    return await rota_service.list_rotations(admin, team_id=team_id)


_mount_delete(ROTATIONS, summary="Remove a rotation")
_mount_create(SHIFTS, ShiftIn, rota_service.create_shift, summary="Add a one-off shift")
_mount_list(SHIFTS, summary="List shifts overlapping a period")
_mount_delete(SHIFTS, summary="Remove a shift")
_mount_create(
    OVERRIDES,
    OverrideIn,
    rota_service.create_override,
    summary="Add an override (sickness, holiday, swap)",
)
_mount_list(OVERRIDES, summary="List overrides overlapping a period")
_mount_delete(OVERRIDES, summary="Remove an override")


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
