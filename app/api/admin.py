"""What every admin router shares: the prefix, the `admin` scope (the documented answers are
in `app.api.responses`) and `Admin`, what an admin route acts with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path, Security
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.deps import ClientMunicipalities, current_client
from app.auth.municipalities import ActingFor
from app.auth.scopes import Scope
from app.deps import ClockDep, TxSession
from app.norway.types import MUNICIPALITY_CODE_PATTERN

PREFIX = "/v1/admin"
REQUIRE_ADMIN = [Security(current_client, scopes=[Scope.ADMIN])]
"""Administration of the client's own municipalities' teams, rosters and policies."""
REQUIRE_ADMIN_MUNICIPALITIES = [Security(current_client, scopes=[Scope.ADMIN_MUNICIPALITIES])]
"""Adding municipalities: the operator's global scope."""

MunicipalityCode = Annotated[
    str, Path(pattern=MUNICIPALITY_CODE_PATTERN, description="Kommunenummer", examples=["3107"])
]
"""The `{code}` of an admin path: a municipality's kommunenummer (four digits)."""


@dataclass(frozen=True, slots=True)
class AdminScope:
    """What an administrator's change acts with: the transaction, the municipalities acted
    for (another's teams and members are answered as ones that do not exist) and the time."""

    session: AsyncSession
    municipalities: ActingFor
    now: datetime


async def admin_scope(
    session: TxSession, municipalities: ClientMunicipalities, clock: ClockDep
) -> AdminScope:
    """The request's transaction, the client's municipalities and the clock's time."""
    return AdminScope(session, municipalities, clock.now())


Admin = Annotated[AdminScope, Depends(admin_scope)]
"""An admin route's scope: the CLI and tools build an `AdminScope` themselves."""
