"""Access tokens: HS256 JWTs signed and checked with python-jose (pure, no I/O).

Only the algorithms in ALLOWED_ALGORITHMS are accepted, so `alg: none` and tokens signed
with another algorithm or key are refused.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from jose import JWTError, jwt

ALGORITHM = "HS256"
ALLOWED_ALGORITHMS = [ALGORITHM]


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class TokenClaims:
    client_id: str
    scopes: frozenset[str]
    expires_at: datetime


@dataclass(frozen=True)
class TokenCodec:
    secret: str
    issuer: str
    audience: str
    lifetime: timedelta

    def issue(self, *, client_id: str, scopes: list[str], now: datetime) -> str:
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": client_id,
            "scope": " ".join(scopes),
            "iat": int(now.timestamp()),
            "exp": int((now + self.lifetime).timestamp()),
            "jti": secrets.token_urlsafe(12),
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
                options={"verify_exp": False, "require_exp": True, "require_iat": True},
            )
        except JWTError as exc:
            raise InvalidToken(str(exc)) from exc
        # Expiry is checked against the service clock, so tests can move time.
        expires_at = datetime.fromtimestamp(int(claims["exp"]), tz=now.tzinfo)
        if expires_at <= now:
            raise InvalidToken("token has expired")
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidToken("token has no subject")
        return TokenClaims(
            client_id=subject,
            scopes=frozenset(str(claims.get("scope", "")).split()),
            expires_at=expires_at,
        )
