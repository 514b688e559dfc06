"""Machine clients' access tokens from an OpenID Connect issuer (HelseID in production).

Besides our own client-credentials tokens (HS256, `app.auth.tokens`), the API takes access
tokens the configured issuer (`CLIENT_OIDC__*`) signed: checked against its key set as the
staff sign-in checks ID tokens (`app.auth.jwks`: RS256 or ES256 only, `iss`, `aud`, `exp`
and `iat` on the service clock, keys fetched, cached and refetched for an unknown `kid`).
The token's `client_id` claim (`CLIENT_OIDC__CLIENT_CLAIM`) must name a registered client;
`app.auth.deps.current_client` then gives it that client's scopes and municipalities, as if
it had used its own secret, and refuses it when the client is unknown or deactivated. The
token's own `scope` claim grants nothing here: what a client may do is registered with us.

Which kind a token is follows from its header alone: an asymmetric algorithm is the issuer's,
anything else is checked as ours (and refused there if it is not HS256 signed by us). So a
token can never choose to be checked with a weaker rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from jose import jwt
from jose.exceptions import JOSEError

from app.auth.jwks import ALLOWED_ALGORITHMS, KeySetSource, OidcRefused, verify_token
from app.auth.tokens import InvalidToken
from app.config.sections import ClientOidcSettings


@dataclass(frozen=True)
class ExternalToken:
    client_id: str
    expires_at: datetime


@dataclass(frozen=True)
class ExternalIssuer:
    issuer: str
    audience: str
    client_claim: str
    keys: KeySetSource

    @classmethod
    def of(cls, settings: ClientOidcSettings) -> ExternalIssuer | None:
        """The configured issuer, or None when `CLIENT_OIDC__ENABLED` is off."""
        if not settings.enabled:
            return None
        assert settings.issuer is not None and settings.audience is not None
        return cls(
            issuer=settings.issuer,
            audience=settings.audience,
            client_claim=settings.client_claim,
            keys=KeySetSource(
                url=settings.jwks_url,
                file=settings.jwks_file,
                cache_for=timedelta(minutes=settings.jwks_cache_minutes),
            ),
        )

    def is_theirs(self, token: str) -> bool:
        """Whether the token's header names an algorithm only the issuer signs with."""
        try:
            alg = jwt.get_unverified_header(token).get("alg")
        except (JOSEError, ValueError, TypeError, AttributeError):
            return False
        return alg in ALLOWED_ALGORITHMS

    async def verify(self, token: str, *, now: datetime) -> ExternalToken:
        """The client the token acts as, or InvalidToken (`jwks.KeysUnavailable`: the key
        set cannot be read now)."""
        try:
            claims = await verify_token(
                token, source=self.keys, issuer=self.issuer, audience=self.audience, now=now
            )
        except OidcRefused as exc:
            raise InvalidToken(str(exc)) from exc
        client_id = claims.get(self.client_claim)
        if not isinstance(client_id, str) or not client_id:
            raise InvalidToken(f"the token has no '{self.client_claim}' claim")
        # verify_token checked `exp` as a number in range.
        return ExternalToken(
            client_id=client_id, expires_at=datetime.fromtimestamp(claims["exp"], tz=UTC)
        )
