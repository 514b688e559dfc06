"""Admin API for a municipality's triage table (scope `admin`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.api.admin import PREFIX, REQUIRE_ADMIN
from app.api.responses import AUTH_PROBLEMS, INVALID, NOT_FOUND
from app.auth.deps import ClientMunicipalities
from app.deps import ClockDep, SessionDep
from app.triage import service
from app.triage.schemas import TriageTableDoc, TriageTableIn

router = APIRouter(
    prefix=f"{PREFIX}/municipalities/{{code}}/triage",
    tags=["admin: triage"],
    dependencies=REQUIRE_ADMIN,
    responses=AUTH_PROBLEMS,
)

Code = Annotated[str, Path(pattern=r"^\d{4}$", description="Kommunenummer", examples=["3107"])]


@router.get(
    "",
    summary="Get the municipality's triage table",
    description="Which alerts page at once and which wait for working hours. A municipality "
    "that has not set its own gets the default, with `configured: false`.",
    responses=NOT_FOUND,
)
async def get_triage_table(
    code: Code, session: SessionDep, municipalities: ClientMunicipalities
) -> TriageTableDoc:
    async with session.begin():
        return await service.get_table(
            session, municipality_code=code, municipalities=municipalities
        )


@router.put(
    "",
    summary="Set the municipality's triage table",
    description="Replaces the rules and the working hours. Rules are tried in order after "
    "the fixed rules (an `objected` alert pages nobody; a fatal alert goes to the leader in "
    "working hours); the first that matches decides, and no match pages now. Alerts triaged "
    "before keep their triage.",
    responses={**NOT_FOUND, **INVALID},
)
async def set_triage_table(
    code: Code,
    table: TriageTableIn,
    session: SessionDep,
    clock: ClockDep,
    municipalities: ClientMunicipalities,
) -> TriageTableDoc:
    async with session.begin():
        return await service.set_table(
            session,
            municipality_code=code,
            table_in=table,
            municipalities=municipalities,
            now=clock.now(),
        )
