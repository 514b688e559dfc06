"""OAuth 2.0 errors (RFC 6749 §5.2) as problem details with the `error` member."""

from __future__ import annotations

from app.errors import DomainError


class OAuthError(DomainError):
    status, slug, title = 400, "oauth-error", "The token request was refused"

    def __init__(self, error: str, detail: str, *, status: int = 400) -> None:
        super().__init__(detail, error=error)
        self.status = status  # type: ignore[misc]


class TooManyAttempts(DomainError):
    """429 with Retry-After: the token endpoint's limit on failed attempts."""

    status, slug, title = 429, "too-many-requests", "Too many requests"


class KeySetUnavailable(DomainError):
    """503 with Retry-After: the external token issuer's key set cannot be read now."""

    status, slug, title = 503, "service-unavailable", "Service unavailable"


class FormExpected(DomainError):
    """415: the token endpoint reads a form (RFC 6749 §4.4.2), not JSON."""

    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


def invalid_client() -> OAuthError:
    return OAuthError("invalid_client", "Unknown client or wrong secret.", status=401)
