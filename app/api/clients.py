"""Admin API for API clients (scope `admin:clients`): list, deactivate, rotate a secret.

Here rather than in app/auth because app/api depends on auth (its scopes), so auth cannot
import the admin helpers. A caller sees and changes only clients all of whose municipalities
are its own; others get the same 404 as a client id that does not exist.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Response, Security

from app.api.admin import PREFIX
from app.api.responses import AUTH_PROBLEMS
from app.auth import service
from app.auth.deps import ClientMunicipalities, current_client
from app.auth.schemas import ClientOut, ClientSecretOut
from app.auth.scopes import Scope
from app.auth.tokens import TokenClaims
from app.deps import StateDep, TransactionDep, TxSession
from app.problems import Problem

router = APIRouter(
    prefix=f"{PREFIX}/clients",
    tags=["admin: clients"],
    responses={
        **AUTH_PROBLEMS,
        403: {"model": Problem, "description": "The token lacks the `admin:clients` scope"},
    },
)

ClientAdmin = Annotated[TokenClaims, Security(current_client, scopes=[Scope.ADMIN_CLIENTS])]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such client in your municipalities"}
}


@router.get(
    "",
    summary="List the API clients of your municipalities",
    description="Clients all of whose municipalities are among the caller's.",
)
async def list_clients(
    session: TxSession, client: ClientAdmin, municipalities: ClientMunicipalities
) -> list[ClientOut]:
    return await service.list_clients(session, municipalities=municipalities)


@router.post(
    "/{client_id}/deactivate",
    summary="Deactivate an API client",
    description="At once: its tokens are refused on the next request, its secret no longer "
    "gets tokens (other instances of the service follow within 5 seconds).",
    responses={
        **_NOT_FOUND,
        409: {"model": Problem, "description": "The client named is the caller itself"},
    },
)
async def deactivate_client(
    client_id: str,
    session: TxSession,
    transaction: TransactionDep,
    state: StateDep,
    client: ClientAdmin,
    municipalities: ClientMunicipalities,
) -> ClientOut:
    transaction.after_commit(partial(state.clients.forget, client_id))
    return await service.deactivate_client(
        session,
        client_id=client_id,
        municipalities=municipalities,
        caller_id=client.client_id,
    )


@router.post(
    "/{client_id}/rotate-secret",
    summary="Give an API client a new secret",
    description="The new secret is answered once; tokens issued under the old one are refused "
    "from now on. Refused (403) for a client holding scopes the caller's token lacks.",
    responses={
        **_NOT_FOUND,
        403: {
            "model": Problem,
            "description": "The token lacks `admin:clients`, or a scope the client holds",
        },
    },
)
async def rotate_secret(
    client_id: str,
    response: Response,
    session: TxSession,
    transaction: TransactionDep,
    state: StateDep,
    client: ClientAdmin,
    municipalities: ClientMunicipalities,
) -> ClientSecretOut:
    response.headers["Cache-Control"] = "no-store"
    created = await service.rotate_secret(
        session,
        client_id=client_id,
        municipalities=municipalities,
        caller_scopes=client.scopes,
    )
    transaction.after_commit(partial(state.clients.forget, client_id))
    return ClientSecretOut(client_id=created.client_id, client_secret=created.secret)
