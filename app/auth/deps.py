"""The machine clients' dependencies: `CurrentClient` (a valid access token, with the
route's scopes through `Security(current_client, scopes=[...])`), `CaseSystem` and
`ClientMunicipalities`, and the OAuth 2.0 scheme the OpenAPI document names.

The token is checked against the app's codec (`AppState.tokens`) or, when it is signed with an
asymmetric key and an external issuer is configured, against that issuer's key set
(`AppState.external_tokens`, `app.auth.external`: HelseID), and then against the client
directory (`AppState.clients`); every refusal is a problem detail (401 or 403; 503 when the
issuer's key set cannot be read).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2, SecurityScopes

from app.auth.errors import KeySetUnavailable
from app.auth.jwks import KeysUnavailable
from app.auth.scopes import SCOPE_DESCRIPTIONS, Scope
from app.auth.tokens import InvalidToken, TokenClaims
from app.deps import StateDep
from app.errors import Forbidden, Unauthorized
from app.state import AppState

TOKEN_URL = "/v1/oauth/token"

oauth2_scheme = OAuth2(
    flows=OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(tokenUrl=TOKEN_URL, scopes=SCOPE_DESCRIPTIONS)
    ),
    scheme_name="ClientCredentials",
    description="OAuth 2.0 client credentials: POST client_id and client_secret to "
    f"`{TOKEN_URL}`, send the access token as `Authorization: Bearer <token>`. Where the "
    "operator has enabled it, a registered client may instead send an access token of the "
    "configured OpenID Connect issuer (HelseID), whose `client_id` claim names the client.",
    auto_error=False,
)


async def current_client(
    security_scopes: SecurityScopes,
    state: StateDep,
    authorization: Annotated[str | None, Depends(oauth2_scheme)],
) -> TokenClaims:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Send an access token as 'Authorization: Bearer <token>'.")
    try:
        claims = await _verified(state, token.strip())
    except InvalidToken as exc:
        # RFC 6750 §3.1: a token that was sent but refused is `invalid_token`.
        raise Unauthorized(
            f"The access token was refused: {exc}. Get a new token at POST {TOKEN_URL}.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from exc
    except KeysUnavailable as exc:
        raise KeySetUnavailable(
            "The token issuer's keys cannot be read now; retry later.",
            headers={"Retry-After": "30"},
        ) from exc
    missing = [s for s in security_scopes.scopes if s not in claims.scopes]
    if missing:
        raise Forbidden(f"The access token lacks the scope(s): {' '.join(missing)}.")
    return claims


async def _verified(state: AppState, token: str) -> TokenClaims:
    """The token's client and scopes: ours, or the external issuer's mapped to the registered
    client its `client_id` names (with that client's scopes). A signed token is not enough:
    its client must exist and be active, and our own tokens must not predate a secret
    rotation (the client is looked up through a cache of a few seconds)."""
    now = state.clock.now()
    external = state.external_tokens
    if external is not None and external.is_theirs(token):
        found = await external.verify(token, now=now)
        standing = await state.clients.standing(found.client_id)
        if standing is None or not standing.active:
            raise InvalidToken("the client is unknown or deactivated")
        return TokenClaims(
            client_id=found.client_id,
            scopes=standing.scopes,
            expires_at=found.expires_at,
            secret_version=standing.secret_version,
        )
    claims = state.tokens.verify(token, now=now)
    standing = await state.clients.standing(claims.client_id)
    if standing is None or not standing.active:
        raise InvalidToken("the client is unknown or deactivated")
    if claims.secret_version != standing.secret_version:
        raise InvalidToken("the client's secret was changed after the token was issued")
    return claims


CurrentClient = Annotated[TokenClaims, Depends(current_client)]
CaseSystem = Annotated[TokenClaims, Security(current_client, scopes=[Scope.ALERTS_DETAILS])]
"""A municipality's case system (scope `alerts:details`), acting for the team's leader."""


async def client_municipalities(state: StateDep, client: CurrentClient) -> frozenset[str]:
    """The municipalities the authenticated client may act for (cached a few seconds)."""
    standing = await state.clients.standing(client.client_id)
    return standing.municipalities if standing is not None else frozenset()


ClientMunicipalities = Annotated[frozenset[str], Depends(client_municipalities)]
"""Which municipalities this client may act for: pass it to services as `municipalities`."""
