"""Admin API for a team's escalation policy (scope `admin`)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from app.api.admin import PREFIX, REQUIRE_ADMIN
from app.api.responses import AUTH_PROBLEMS, INVALID, NOT_FOUND
from app.auth.deps import ClientMunicipalities
from app.deps import ClockDep, SessionDep
from app.escalation.policy import service
from app.escalation.policy.schemas import PolicyIn, PolicyOut

router = APIRouter(
    prefix=f"{PREFIX}/teams/{{team_id}}/escalation-policy",
    tags=["admin: escalation"],
    dependencies=REQUIRE_ADMIN,
    responses=AUTH_PROBLEMS,
)


@router.get(
    "",
    summary="Get a team's escalation policy",
    description="A team without a policy of its own escalates by the default policy, "
    "returned here with `configured: false`.",
    responses=NOT_FOUND,
)
async def get_policy(
    team_id: uuid.UUID, session: SessionDep, municipalities: ClientMunicipalities
) -> PolicyOut:
    async with session.begin():
        return await service.get_policy(session, team_id=team_id, municipalities=municipalities)


@router.put(
    "",
    summary="Set a team's escalation policy",
    description="Replaces the whole policy. Named members must be active members of the team; "
    "a `fallback` step needs a `fallback_number`.",
    responses={**NOT_FOUND, **INVALID},
)
async def put_policy(
    team_id: uuid.UUID,
    policy_in: PolicyIn,
    session: SessionDep,
    clock: ClockDep,
    municipalities: ClientMunicipalities,
) -> PolicyOut:
    async with session.begin():
        return await service.save_policy(
            session,
            team_id=team_id,
            policy_in=policy_in,
            municipalities=municipalities,
            now=clock.now(),
        )
