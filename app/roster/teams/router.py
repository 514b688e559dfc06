"""Admin API for municipalities, teams and members (scope `admin`); rosters in rota.router."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from app.api.admin import PREFIX, REQUIRE_ADMIN, REQUIRE_ADMIN_MUNICIPALITIES, Admin
from app.api.queries import MunicipalityQuery
from app.api.responses import AUTH_PROBLEMS, CONFLICT, INVALID, NOT_FOUND
from app.deps import ClockDep, TxSession
from app.problems import Problem
from app.roster.teams import service as team_service
from app.roster.teams.schemas import (
    AlertTeamIn,
    MemberChange,
    MemberIn,
    MemberOut,
    MemberUpdate,
    MunicipalityIn,
    MunicipalityOut,
    TeamIn,
    TeamOut,
    TeamUpdate,
)

router = APIRouter(
    prefix=PREFIX, tags=["admin: teams"], dependencies=REQUIRE_ADMIN, responses=AUTH_PROBLEMS
)
# Adding a municipality is the operator's: no municipality's administrator may.
municipalities_router = APIRouter(
    prefix=PREFIX,
    tags=["admin: teams"],
    dependencies=REQUIRE_ADMIN_MUNICIPALITIES,
    responses={
        **AUTH_PROBLEMS,
        403: {"model": Problem, "description": "The token lacks the `admin:municipalities` scope"},
    },
)


@municipalities_router.post(
    "/municipalities",
    status_code=status.HTTP_201_CREATED,
    summary="Add a municipality",
    responses={**CONFLICT, **INVALID},
)
async def create_municipality(
    municipality_in: MunicipalityIn, session: TxSession, clock: ClockDep
) -> MunicipalityOut:
    return await team_service.create_municipality(
        session, municipality_in=municipality_in, now=clock.now()
    )


@router.get(
    "/municipalities",
    summary="List your municipalities and the team receiving their alerts",
)
async def list_municipalities(admin: Admin) -> list[MunicipalityOut]:
    return await team_service.list_municipalities(admin)


@router.put(
    "/municipalities/{code}/alert-team",
    summary="Move the municipality's alerts to one of its teams",
    description="In one transaction: the previous receiving team stops and this one starts, "
    "so no alert falls between them.",
    responses={**NOT_FOUND, **INVALID},
)
async def set_alert_team(code: str, body: AlertTeamIn, admin: Admin) -> MunicipalityOut:
    return await team_service.set_alert_team(admin, code=code, team_id=body.team_id)


@router.post(
    "/teams",
    status_code=status.HTTP_201_CREATED,
    summary="Add a team",
    responses={
        409: {
            "model": Problem,
            "description": "The municipality has a team of this name, or `receives_alerts` "
            "and another team receives the alerts already",
        },
        **INVALID,
    },
)
async def create_team(team_in: TeamIn, admin: Admin) -> TeamOut:
    return await team_service.create_team(admin, team_in=team_in)


@router.get("/teams", summary="List the teams of your municipalities")
async def list_teams(
    admin: Admin,
    municipality: MunicipalityQuery = None,
) -> list[TeamOut]:
    return await team_service.list_teams(admin, municipality=municipality)


@router.get("/teams/{team_id}", summary="Get a team", responses=NOT_FOUND)
async def get_team(team_id: uuid.UUID, admin: Admin) -> TeamOut:
    return team_service.team_out(
        await team_service.get_team(
            admin.session, municipalities=admin.municipalities, team_id=team_id
        )
    )


@router.patch(
    "/teams/{team_id}",
    summary="Rename a team, set its leader, or whether it receives alerts",
    responses={**NOT_FOUND, **CONFLICT, **INVALID},
)
async def update_team(team_id: uuid.UUID, update: TeamUpdate, admin: Admin) -> TeamOut:
    return await team_service.update_team(admin, team_id=team_id, update=update)


@router.post(
    "/teams/{team_id}/members",
    status_code=status.HTTP_201_CREATED,
    summary="Add a member to a team",
    responses={**NOT_FOUND, **INVALID},
)
async def add_member(team_id: uuid.UUID, member_in: MemberIn, admin: Admin) -> MemberOut:
    return await team_service.add_member(admin, team_id=team_id, member_in=member_in)


@router.get("/teams/{team_id}/members", summary="List a team's members", responses=NOT_FOUND)
async def list_members(
    team_id: uuid.UUID, admin: Admin, include_inactive: bool = False
) -> list[MemberOut]:
    return await team_service.list_members(
        admin, team_id=team_id, include_inactive=include_inactive
    )


@router.patch(
    "/teams/{team_id}/members/{member_id}",
    summary="Change a member's details",
    responses={**NOT_FOUND, **INVALID},
)
async def update_member(
    team_id: uuid.UUID, member_id: uuid.UUID, update: MemberUpdate, admin: Admin
) -> MemberOut:
    return await team_service.update_member(
        admin, team_id=team_id, member_id=member_id, update=update
    )


@router.post(
    "/teams/{team_id}/members/{member_id}/deactivate",
    summary="Deactivate a member",
    description="Takes effect at once: the member is never paged again and never on duty. "
    "Never refused; `warnings` say which rotations, shifts and escalation steps it leaves "
    "uncovered (and a leader is unset). Members are kept, not deleted: alerts refer to them.",
    responses=NOT_FOUND,
)
async def deactivate_member(team_id: uuid.UUID, member_id: uuid.UUID, admin: Admin) -> MemberChange:
    return await team_service.set_member_active(
        admin, team_id=team_id, member_id=member_id, active=False
    )


@router.post(
    "/teams/{team_id}/members/{member_id}/reactivate",
    summary="Reactivate a member",
    responses=NOT_FOUND,
)
async def reactivate_member(team_id: uuid.UUID, member_id: uuid.UUID, admin: Admin) -> MemberChange:
    return await team_service.set_member_active(
        admin, team_id=team_id, member_id=member_id, active=True
    )
