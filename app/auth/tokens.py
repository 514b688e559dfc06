"""Access tokens: HS256 JWTs signed and checked with python-jose (pure, no I/O).

python-jose checks the signature, the algorithm (only ALLOWED_ALGORITHMS, so `alg: none`
and tokens of another algorithm or key are refused), `aud` and `iss`. Presence, type and
timing of `exp` and `iat` are checked here against the service clock: python-jose would
compare them with the wall clock, and a token's validity must not depend on the machine's
date (tests, and any deployment whose clock is a seam, move time).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jose import JWTError, jwt

ALGORITHM = "HS256"
ALLOWED_ALGORITHMS = [ALGORITHM]
# Clocks of issuer and verifier are the same service, but instances may differ slightly.
ALLOWED_CLOCK_SKEW = timedelta(seconds=30)

# Only what python-jose verifies well without a clock; time claims are ours (`check_times`).
JOSE_OPTIONS = {
    "verify_signature": True,
    "verify_aud": True,
    "verify_iss": True,
    "require_aud": True,
    "require_iss": True,
    "verify_exp": False,
    "verify_iat": False,
    "verify_nbf": False,
    "require_exp": False,
    "require_iat": False,
    "require_nbf": False,
}


class InvalidToken(Exception):
    """The token was refused; the message is ours and safe to show."""


class ExpiredToken(InvalidToken):
    pass


@dataclass(frozen=True)
class TokenClaims:
    client_id: str
    scopes: frozenset[str]
    expires_at: datetime
    secret_version: int = 0
    """The client's secret version when the token was issued (`ver`; 0 when absent)."""


def _instant(claims: dict[str, Any], name: str) -> datetime:
    value = claims.get(name)
    # bool is an int in Python; a JSON `true` is no time.
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise InvalidToken(f"the token has no numeric '{name}' claim")
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise InvalidToken(f"the token's '{name}' claim is out of range") from exc


def check_times(claims: dict[str, Any], *, now: datetime) -> datetime:
    """Check `iat` and `exp` against `now`; return the expiry."""
    issued_at = _instant(claims, "iat")
    expires_at = _instant(claims, "exp")
    if issued_at > now + ALLOWED_CLOCK_SKEW:
        raise InvalidToken("the token was issued in the future")
    if expires_at <= issued_at:
        raise InvalidToken("the token expires before it was issued")
    if expires_at <= now:
        raise ExpiredToken("the token has expired")
    return expires_at


@dataclass(frozen=True)
class TokenCodec:
    secret: str
    issuer: str
    audience: str
    lifetime: timedelta

    def issue(
        self, *, client_id: str, scopes: list[str], now: datetime, secret_version: int = 0
    ) -> str:
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": client_id,
            "scope": " ".join(scopes),
            "iat": int(now.timestamp()),
            "exp": int((now + self.lifetime).timestamp()),
            "jti": secrets.token_urlsafe(12),
            "ver": secret_version,
        }
        return str(jwt.encode(claims, self.secret, algorithm=ALGORITHM))

    def verify(self, token: str, *, now: datetime) -> TokenClaims:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in ALLOWED_ALGORITHMS:
                raise InvalidToken("algorithm not allowed")
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=ALLOWED_ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                options=JOSE_OPTIONS,
            )
        except JWTError as exc:
            # The library's wording may change and is not ours to promise.
            raise InvalidToken("the signature, algorithm, audience or issuer is wrong") from exc
        expires_at = check_times(claims, now=now)
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidToken("the token has no subject")
        scope = claims.get("scope", "")
        if not isinstance(scope, str):
            raise InvalidToken("the token's scope is not a string")
        version = claims.get("ver", 0)
        if not isinstance(version, int) or isinstance(version, bool):
            raise InvalidToken("the token's 'ver' claim is not an integer")
        return TokenClaims(
            client_id=subject,
            scopes=frozenset(scope.split()),
            expires_at=expires_at,
            secret_version=version,
        )
