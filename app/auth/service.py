"""Machine clients: creating them and exchanging their credentials for access tokens."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from app.auth import repository
from app.auth.errors import OAuthError, invalid_client
from app.auth.models import ApiClient
from app.auth.schemas import TokenResponse
from app.auth.scopes import Scope
from app.auth.secrets import hash_secret, new_client_secret, verify_secret
from app.auth.tokens import TokenCodec
from app.errors import Conflict, Unprocessable

CLIENT_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")


@dataclass(frozen=True)
class NewClient:
    client_id: str
    secret: str


async def create_client(
    session: AsyncSession,
    *,
    name: str,
    municipality_codes: list[str],
    scopes: list[str],
    now: datetime,
    client_id: str | None = None,
    secret: str | None = None,
) -> NewClient:
    """Create a client; the secret is returned here once and only its hash is kept."""
    client_id = client_id or f"client-{secrets.token_hex(6)}"
    if not CLIENT_ID_PATTERN.match(client_id):
        raise Unprocessable("client id: 3-64 lowercase letters, digits or '-'")
    unknown_scopes = sorted(set(scopes) - {s.value for s in Scope})
    if unknown_scopes:
        raise Unprocessable(f"unknown scope(s): {' '.join(unknown_scopes)}")
    unknown = await repository.unknown_municipalities(session, municipality_codes)
    if unknown:
        raise Unprocessable(f"municipality {unknown[0]} is not served")
    if await repository.get_client(session, client_id) is not None:
        raise Conflict(f"client {client_id} exists already")
    secret = secret or new_client_secret()
    client = ApiClient(
        id=client_id,
        name=name,
        secret_hash=hash_secret(secret),
        scopes=" ".join(sorted(set(scopes))),
        created_at=now,
    )
    repository.add_client(session, client, sorted(set(municipality_codes)))
    return NewClient(client_id=client_id, secret=secret)


async def issue_token(
    session: AsyncSession,
    *,
    codec: TokenCodec,
    grant_type: str,
    client_id: str,
    client_secret: str,
    requested_scope: str | None,
    now: datetime,
) -> TokenResponse:
    if grant_type != "client_credentials":
        raise OAuthError(
            "unsupported_grant_type", "Only grant_type=client_credentials is supported."
        )
    client = await repository.get_client(session, client_id)
    # Verify even when the client is unknown, so response time does not reveal client ids.
    # argon2 is slow on purpose; keep it off the event loop.
    secret_ok = await run_in_threadpool(
        verify_secret, client.secret_hash if client else None, client_secret
    )
    if client is None or not client.active or not secret_ok:
        raise invalid_client()
    granted = client.scopes.split()
    if requested_scope:
        requested = requested_scope.split()
        not_granted = sorted(set(requested) - set(granted))
        if not_granted:
            raise OAuthError("invalid_scope", f"Scope not granted: {' '.join(not_granted)}.")
        granted = sorted(set(requested))
    token = codec.issue(client_id=client.id, scopes=granted, now=now)
    return TokenResponse(
        access_token=token,
        expires_in=int(codec.lifetime.total_seconds()),
        scope=" ".join(granted),
    )
