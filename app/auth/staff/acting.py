"""Who acts through an API that both staff and a municipality's case system use.

Both send `Authorization: Bearer <token>`. A staff session token (`ods_…`, from the staff
sign-in) acts for the member's own municipality, as the member; anything else is a client's
access token, which needs the route's scopes and acts for the client's municipalities. The
staff session cookie of the pages is not accepted here: an API authorised by a cookie could be
driven from another site (CSRF).

`Security(acting_party, scopes=[...])` documents both schemes as alternatives in the spec.
It lives in `auth.staff`, which builds on the clients' `app.auth.deps`: the parent package
imports none of its sub-packages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi.security import SecurityScopes

from app.auth.deps import client_municipalities, current_client, oauth2_scheme
from app.auth.staff.deps import StaffBearer, current_staff
from app.auth.staff.identity import StaffIdentity
from app.auth.staff.tokens import SESSION_TOKEN_PREFIX
from app.deps import StateDep


@dataclass(frozen=True)
class ActingParty:
    """A signed-in staff member (`staff`), or a case system (`client_id`)."""

    municipalities: frozenset[str]
    client_id: str | None = None
    staff: StaffIdentity | None = None


async def acting_party(
    security_scopes: SecurityScopes,
    state: StateDep,
    authorization: Annotated[str | None, Depends(oauth2_scheme)],
    bearer: StaffBearer,
) -> ActingParty:
    """The staff member of a live session, or the client of a valid token with the scopes;
    401/403 as problem details otherwise."""
    if bearer is not None and bearer.credentials.strip().startswith(SESSION_TOKEN_PREFIX):
        staff = await current_staff(state, bearer)
        return ActingParty(municipalities=frozenset({staff.municipality_code}), staff=staff)
    claims = await current_client(security_scopes, state, authorization)
    municipalities = await client_municipalities(state, claims)
    return ActingParty(municipalities=municipalities, client_id=claims.client_id)
