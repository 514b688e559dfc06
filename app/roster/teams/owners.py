"""The owners of settings documents the roster keeps (`app.api.documents`): a municipality by
its code, a team by its id.

A path's owner is read by a dependency (`municipality_claim`, `team_claim`) and checked in
the request's transaction (`Claim.resolve`): it must exist and be one the client acts for.
Another client's municipality or team gets the same 404 as one that does not exist, so codes
and ids reveal nothing.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.admin import MunicipalityCode
from app.api.documents import Claim, Owner
from app.auth.deps import ClientMunicipalities
from app.auth.municipalities import ActingFor
from app.errors import NotFound
from app.roster.teams import repository
from app.roster.teams import service as team_service


async def check_municipality(session: AsyncSession, code: str, acting_for: ActingFor) -> None:
    """NotFound unless the municipality is served and the caller acts for it."""
    if code not in acting_for or await repository.get_municipality(session, code) is None:
        raise NotFound(f"No municipality {code} among yours.")


async def check_team(session: AsyncSession, team_id: uuid.UUID, acting_for: ActingFor) -> None:
    """NotFound unless the team is of a municipality the caller acts for."""
    await team_service.get_team(session, team_id=team_id, municipalities=acting_for)


async def municipality_claim(
    code: MunicipalityCode, municipalities: ClientMunicipalities
) -> Claim[str]:
    """The `{code}` of an admin path, as the client's token claims it."""
    return Claim(code, municipalities, check_municipality)


async def team_claim(team_id: uuid.UUID, municipalities: ClientMunicipalities) -> Claim[uuid.UUID]:
    """The `{team_id}` of an admin path, as the client's token claims it."""
    return Claim(team_id, municipalities, check_team)


MUNICIPALITY = Owner("/municipalities/{code}", municipality_claim, check_municipality)
TEAM = Owner("/teams/{team_id}", team_claim, check_team)
