"""Machine clients: creating them and exchanging their credentials for access tokens."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import repository
from app.auth.errors import OAuthError, TooManyAttempts, invalid_client
from app.auth.limits import TokenGuard
from app.auth.models import ApiClient
from app.auth.municipalities import (
    EVERY_MUNICIPALITY,
    ActingFor,
    EveryMunicipality,
    municipalities_of,
)
from app.auth.schemas import ClientOut, TokenResponse
from app.auth.scopes import Scope
from app.auth.secrets import hash_secret, new_client_secret, verify_secret
from app.auth.tokens import TokenCodec
from app.errors import Conflict, Forbidden, NotFound, Unprocessable

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
    await _check_grants(session, scopes, municipality_codes)
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


async def _check_grants(
    session: AsyncSession, scopes: list[str], municipality_codes: list[str]
) -> None:
    unknown_scopes = sorted(set(scopes) - {s.value for s in Scope})
    if unknown_scopes:
        raise Unprocessable(f"unknown scope(s): {' '.join(unknown_scopes)}")
    unknown = await repository.unknown_municipalities(session, municipality_codes)
    if unknown:
        raise Unprocessable(f"municipality {unknown[0]} is not served")


async def update_client(
    session: AsyncSession,
    *,
    client_id: str,
    name: str,
    scopes: list[str],
    municipality_codes: list[str],
) -> ClientOut:
    """The operator's change of a client's name, scopes and municipalities (`odvarsel apply`).
    Tokens already issued keep the scopes they carry until they expire."""
    await _check_grants(session, scopes, municipality_codes)
    client, _ = await _managed_client(
        session, client_id=client_id, municipalities=EVERY_MUNICIPALITY
    )
    client.name = name
    client.scopes = " ".join(sorted(set(scopes)))
    session.add(client)
    codes = sorted(set(municipality_codes))
    await repository.set_municipalities(session, client_id, codes)
    return _client_out(client, codes)


async def has_secret(session: AsyncSession, *, client_id: str, secret: str) -> bool:
    """Whether the client's secret is `secret` (for the dev-only demo secret of `seed-demo`)."""
    client = await repository.get_client(session, client_id)
    return client is not None and verify_secret(client.secret_hash, secret)


@dataclass(frozen=True)
class StoredClient:
    """What the token endpoint needs of a client, read in a short transaction of its own so
    that no connection (nor SQLite's write lock) is held through the slow secret check."""

    client_id: str
    secret_hash: str
    scopes: tuple[str, ...]
    active: bool
    secret_version: int


async def admit_attempt(
    guard: TokenGuard, *, grant_type: str, client_id: str, address: str, now: datetime
) -> None:
    """Refuse at once what will not be checked: another grant, or an attempt over the limit.
    An admitted attempt counts as failed until `issue_token` finds it good (same `now`)."""
    if grant_type != "client_credentials":
        raise OAuthError(
            "unsupported_grant_type", "Only grant_type=client_credentials is supported."
        )
    wait = await guard.admit(client_id=client_id, address=address, now=now)
    if wait is not None:
        raise TooManyAttempts(
            "Too many failed attempts for this client or from this address. "
            "Retry after the time in the Retry-After header.",
            headers={"Retry-After": str(wait)},
        )


async def stored_client(session: AsyncSession, *, client_id: str) -> StoredClient | None:
    client = await repository.get_client(session, client_id)
    if client is None:
        return None
    return StoredClient(
        client_id=client.id,
        secret_hash=client.secret_hash,
        scopes=tuple(client.scopes.split()),
        active=client.active,
        secret_version=client.secret_version,
    )


async def issue_token(
    client: StoredClient | None,
    *,
    guard: TokenGuard,
    codec: TokenCodec,
    client_id: str,
    client_secret: str,
    requested_scope: str | None,
    address: str,
    now: datetime,
) -> TokenResponse:
    # Verify even when the client is unknown, so response time does not reveal client ids.
    # argon2 is slow on purpose: off the event loop, and only a few at a time.
    secret_ok = await guard.run_check(
        verify_secret, client.secret_hash if client else None, client_secret
    )
    if client is None or not client.active or not secret_ok:
        raise invalid_client()  # counted as failed since admit_attempt
    await guard.succeeded(client_id=client_id, address=address, now=now)
    granted = list(client.scopes)
    if requested_scope:
        requested = set(requested_scope.split())
        if not requested <= set(granted):
            # The requested text is not repeated: messages never echo values sent.
            raise OAuthError("invalid_scope", "A requested scope is not granted to this client.")
        granted = sorted(requested)
    token = codec.issue(
        client_id=client.client_id,
        scopes=granted,
        now=now,
        secret_version=client.secret_version,
    )
    return TokenResponse(
        access_token=token,
        expires_in=int(codec.lifetime.total_seconds()),
        scope=" ".join(granted),
    )


def _manages(acting_for: ActingFor, municipalities: list[str]) -> bool:
    """A client is administered by whoever acts for all of its municipalities; one bound to
    none only by the operator's tools."""
    if isinstance(acting_for, EveryMunicipality):
        return True
    return bool(municipalities) and all(code in acting_for for code in municipalities)


def _client_out(client: ApiClient, municipalities: list[str]) -> ClientOut:
    return ClientOut(
        id=client.id,
        name=client.name,
        scopes=client.scopes.split(),
        municipalities=municipalities,
        active=client.active,
        created_at=client.created_at,
    )


async def list_clients(session: AsyncSession, *, municipalities: ActingFor) -> list[ClientOut]:
    """The clients all of whose municipalities are among `municipalities`."""
    return [
        _client_out(client, codes)
        for client, codes in await repository.list_clients(session)
        if _manages(municipalities, codes)
    ]


async def _managed_client(
    session: AsyncSession, *, client_id: str, municipalities: ActingFor
) -> tuple[ApiClient, list[str]]:
    client = await repository.get_client(session, client_id)
    codes = sorted(await municipalities_of(session, client_id)) if client else []
    if client is None or not _manages(municipalities, codes):
        # The same answer for another municipality's client and one that does not exist. The
        # operator's CLI acts for every municipality and has no client of its own.
        if isinstance(municipalities, EveryMunicipality):
            raise NotFound("No such client (odvarsel client list shows them).")
        raise NotFound("No such client among this client's municipalities.")
    return client, codes


async def deactivate_client(
    session: AsyncSession,
    *,
    client_id: str,
    municipalities: ActingFor,
    caller_id: str | None = None,
) -> ClientOut:
    """Deactivate the client: its tokens and its secret are refused from now on. Raises the
    secret version too, so reactivating it later would not revive old tokens.

    `caller_id` is the client asking (None: the operator's CLI). A client may not deactivate
    itself: an administrator would lock themselves out with one mistyped id.
    """
    if caller_id is not None and caller_id == client_id:
        raise Conflict(
            "A client cannot deactivate itself. Use another client with `admin:clients`, "
            "or `odvarsel client deactivate` on the server."
        )
    client, codes = await _managed_client(
        session, client_id=client_id, municipalities=municipalities
    )
    if client.active:
        client.active = False
        client.secret_version += 1
        session.add(client)
    return _client_out(client, codes)


async def rotate_secret(
    session: AsyncSession,
    *,
    client_id: str,
    municipalities: ActingFor,
    caller_scopes: frozenset[str] | None,
    secret: str | None = None,
) -> NewClient:
    """A new secret for the client; tokens issued under the old one are refused from now on.

    `caller_scopes` None is the operator's tools; `secret` is given only by `seed-demo`, for
    the dev-only demo client (refused in production there). A caller cannot take over a
    client holding scopes it does not hold itself: the new secret would give them to it.
    """
    client, _ = await _managed_client(session, client_id=client_id, municipalities=municipalities)
    if caller_scopes is not None and not set(client.scopes.split()) <= caller_scopes:
        raise Forbidden(
            "This client holds scopes your token does not: its secret can only be rotated by "
            "a client holding them all, or with `odvarsel client rotate-secret`."
        )
    secret = secret or new_client_secret()
    client.secret_hash = hash_secret(secret)
    client.secret_version += 1
    session.add(client)
    return NewClient(client_id=client.id, secret=secret)
