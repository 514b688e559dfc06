"""Admin API for a municipality's answers to the crew (scope `admin`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.answers import service
from app.answers.schemas import AnswerOptions
from app.api.admin import PREFIX, REQUIRE_ADMIN
from app.api.responses import AUTH_PROBLEMS, INVALID, NOT_FOUND
from app.auth.deps import ClientMunicipalities
from app.deps import ClockDep, SessionDep

router = APIRouter(
    prefix=f"{PREFIX}/municipalities/{{code}}/answer-options",
    tags=["admin: answers"],
    dependencies=REQUIRE_ADMIN,
    responses=AUTH_PROBLEMS,
)

Code = Annotated[str, Path(pattern=r"^\d{4}$", description="Kommunenummer", examples=["3107"])]


@router.get(
    "",
    summary="Get the answers offered to whoever takes an alert",
    description="A municipality that has not set its own gets the defaults.",
    responses=NOT_FOUND,
)
async def get_answer_options(
    code: Code, session: SessionDep, municipalities: ClientMunicipalities
) -> AnswerOptions:
    async with session.begin():
        return await service.options_of(
            session, municipality_code=code, municipalities=municipalities
        )


@router.put(
    "",
    summary="Set the answers offered to whoever takes an alert",
    description='Replaces the lists: minutes for "kommer", the municipality\'s places, and '
    "when a follow-up happens if nobody can come. Answers given before keep their words.",
    responses={**NOT_FOUND, **INVALID},
)
async def put_answer_options(
    code: Code,
    options: AnswerOptions,
    session: SessionDep,
    clock: ClockDep,
    municipalities: ClientMunicipalities,
) -> AnswerOptions:
    async with session.begin():
        return await service.set_options(
            session,
            municipality_code=code,
            options=options,
            municipalities=municipalities,
            now=clock.now(),
        )
