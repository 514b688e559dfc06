"""OpenID Connect staff sign-in: what names the member in a provider's ID token (the
municipality's, or HelseID), and how a used token is remembered. The token itself is checked
against the provider's key set by `app.auth.jwks` (RS256/ES256 only, `iss`, `aud`, times on
the service clock, keys fetched and cached).

* A token signs in once: `replay_key` (the issuer and `jti`, or the whole token without one)
  is remembered until `remember_until` (its expiry plus the clock skew) in `app.once`, in the
  sign-in's transaction (`first_sign_in`, for staff and for reporters), and a second use is
  refused.
* The member: the configured claim (`phone_number` by default, as E.164) matched against the
  members' mobiles, or (`STAFF__OIDC_MATCH=email`) an `email` claim against their email. A
  claim the provider marks unverified (`<claim>_verified: false`) is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.jwks import KeySetSource, OidcRefused, verify_token
from app.auth.tokens import ALLOWED_CLOCK_SKEW
from app.config.sections import StaffAuthSettings
from app.input_guard import has_forbidden_characters
from app.norway.phone import InvalidPhoneNumber, to_e164
from app.once import first_use


def replay_key(claims: Mapping[str, Any], *, token: str) -> str:
    """What a second use of the same ID token is known by (pure): the issuer and its `jti`,
    or, without a `jti`, the whole token (only its digest is stored)."""
    jti = claims.get("jti")
    if isinstance(jti, str) and jti:
        return f"jti\x00{claims.get('iss')}\x00{jti}"
    return f"token\x00{token}"


def remember_until(claims: Mapping[str, Any]) -> datetime:
    """How long a used ID token is remembered (pure): until it expires, plus the skew another
    instance's clock may have, so no instance still takes it after the record is gone. The
    claims are verified, so `exp` is a valid time."""
    return datetime.fromtimestamp(claims["exp"], tz=UTC) + ALLOWED_CLOCK_SKEW


async def first_sign_in(
    session: AsyncSession, *, purpose: str, claims: Mapping[str, Any], token: str, now: datetime
) -> bool:
    """Remembers a verified ID token for `purpose` (staff and reporters each have theirs) by
    its `replay_key` until `remember_until`, in the caller's transaction; False when it was
    used before."""
    key = replay_key(claims, token=token)
    return await first_use(session, purpose=purpose, key=key, until=remember_until(claims), now=now)


async def verified_identifier(
    id_token: str, *, key_set: KeySetSource, settings: StaffAuthSettings, now: datetime
) -> tuple[dict[str, Any], str]:
    """The claims of a provider's ID token, checked as the settings say (issuer, audience),
    and the member's identifier in them; OidcRefused (KeysUnavailable: try later). The same
    for staff and reporters."""
    assert settings.oidc_issuer is not None and settings.oidc_audience is not None
    claims = await verify_token(
        id_token,
        source=key_set,
        issuer=settings.oidc_issuer,
        audience=settings.oidc_audience,
        now=now,
    )
    return claims, identifier_of(claims, claim=settings.oidc_claim, match=settings.oidc_match)


def identifier_of(
    claims: Mapping[str, Any], *, claim: str, match: Literal["mobile", "email"]
) -> str:
    """What the member is looked up by: an E.164 mobile, or a lower-case email."""
    value = claims.get(claim)
    if not isinstance(value, str) or not value.strip():
        raise OidcRefused(f"the token has no '{claim}' claim")
    if has_forbidden_characters(value):  # a NUL reached PostgreSQL's lookup: a 500
        raise OidcRefused(f"the token's '{claim}' contains a control character")
    if claims.get(f"{claim}_verified") is False:
        raise OidcRefused(f"the provider has not verified the token's '{claim}'")
    if match == "email":
        return value.strip().lower()
    try:
        return to_e164(value.strip())
    except InvalidPhoneNumber as exc:
        raise OidcRefused(f"the token's '{claim}' is not a phone number") from exc
