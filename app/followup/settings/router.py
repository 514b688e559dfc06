"""The admin API of each municipality's follow-up settings (scope `admin`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.api.admin import PREFIX, REQUIRE_ADMIN
from app.api.responses import AUTH_PROBLEMS, INVALID, NOT_FOUND
from app.auth.deps import ClientMunicipalities
from app.deps import ClockDep, SessionDep
from app.followup import settings
from app.followup.settings import FollowupSettingsIn, FollowupSettingsOut

router = APIRouter(
    prefix=f"{PREFIX}/municipalities/{{code}}/followup-settings",
    tags=["admin: follow-up"],
    dependencies=REQUIRE_ADMIN,
    responses=AUTH_PROBLEMS,
)

Code = Annotated[str, Path(pattern=r"^\d{4}$", description="Kommunenummer", examples=["3107"])]


@router.get(
    "",
    summary="Get the municipality's follow-up settings",
    description="The window of repeated overdoses in days. A municipality that has not set "
    "its own gets the default (30 days), with `configured: false`.",
    responses=NOT_FOUND,
)
async def get_followup_settings(
    code: Code, session: SessionDep, municipalities: ClientMunicipalities
) -> FollowupSettingsOut:
    async with session.begin():
        return await settings.settings_of(
            session, municipality_code=code, municipalities=municipalities
        )


@router.put(
    "",
    summary="Set the municipality's follow-up settings",
    description="`repeat_window_days` (1 to 365): how many days back an earlier non-fatal "
    "overdose of the same person counts when a case of this municipality opens. Cases already "
    "open keep what they were opened with.",
    responses={**NOT_FOUND, **INVALID},
)
async def put_followup_settings(
    code: Code,
    body: FollowupSettingsIn,
    session: SessionDep,
    clock: ClockDep,
    municipalities: ClientMunicipalities,
) -> FollowupSettingsOut:
    async with session.begin():
        return await settings.set_settings(
            session,
            municipality_code=code,
            settings=body,
            municipalities=municipalities,
            now=clock.now(),
        )
