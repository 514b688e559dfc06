"""An OpenID Connect provider's signed JWTs checked with python-jose against its key set: the
staff sign-in's ID tokens (`app.auth.staff.oidc`) and machine clients' access tokens from a
configured issuer such as HelseID (`app.auth.external`).

* Only RS256 and ES256 are accepted, decided from the header before any key is touched: `none`
  and HMAC algorithms are refused, so a public key can never serve as an HMAC secret. A key
  is used only for its own algorithm (`kty` RSA for RS256, EC P-256 for ES256, its `alg` if
  it names one), only for signatures, and only when its `kid` is the token's. Keys named in
  the token itself (`jwk`, `jku`, `x5u`) are never fetched or used; `crit` is refused.
* `iss` and `aud` are python-jose's checks; `exp`, `iat` and `nbf` are checked here against
  the service clock (`app.auth.tokens.check_times`), never the wall clock.
* The key set comes from a file or a URL (https, or http on loopback), fetched with httpx and
  kept for the configured minutes; a token signed with a key we do not know fetches it
  again, at most once per `REFETCH_AFTER` (the provider rotated its keys). When a fetch fails
  the keys we have are used; with none, the caller answers 503.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
from jose import jwk, jwt
from jose.exceptions import JOSEError, JWTClaimsError

from app.auth.tokens import ALLOWED_CLOCK_SKEW, JOSE_OPTIONS, InvalidToken, check_times

log = logging.getLogger(__name__)

ALLOWED_ALGORITHMS = ("RS256", "ES256")
_KEY_TYPES = {"RS256": ("RSA", None), "ES256": ("EC", "P-256")}
REFETCH_AFTER = timedelta(minutes=1)
FETCH_TIMEOUT_SECONDS = 5.0
MAX_KEY_SET_BYTES = 256 * 1024

_OPTIONS = {**JOSE_OPTIONS, "verify_at_hash": False}
"""The client tokens' python-jose checks (signature, `aud`, `iss`; times are ours); an ID
token's `at_hash` is not checked: no access token comes with it."""

Jwk = Mapping[str, Any]


class OidcRefused(Exception):
    """The token was refused; the message is ours, names no claim value, and is safe to show."""


class KeysUnavailable(Exception):
    """The provider's key set could not be read, and no earlier copy is at hand."""


def parse_key_set(data: object) -> list[Jwk]:
    """The keys of a JWKS document (`{"keys": [...]}`); anything else is no key set."""
    if not isinstance(data, Mapping) or not isinstance(data.get("keys"), list):
        raise ValueError("not a JWKS document")
    return [key for key in data["keys"] if isinstance(key, Mapping)]


def candidate_keys(keys: Sequence[Jwk], *, alg: str, kid: str | None) -> list[Jwk]:
    """The keys that may verify a token of `alg` whose header names `kid` (pure)."""
    kty, curve = _KEY_TYPES[alg]
    found = []
    for key in keys:
        if key.get("kty") != kty or (curve is not None and key.get("crv") != curve):
            continue
        if key.get("use", "sig") != "sig" or key.get("alg", alg) != alg:
            continue
        operations = key.get("key_ops")
        if isinstance(operations, list) and "verify" not in operations:
            continue
        if kid is not None and key.get("kid") != kid:
            continue
        found.append(key)
    return found


def header_of(token: str) -> tuple[str, str | None]:
    """The token's algorithm (one we accept) and key id, or OidcRefused."""
    try:
        header = jwt.get_unverified_header(token)
    except (JOSEError, ValueError, TypeError) as exc:
        raise OidcRefused("the token is not a signed JWT") from exc
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        raise OidcRefused("the token's algorithm is not allowed (RS256 or ES256 only)")
    if "crit" in header:
        raise OidcRefused("the token names critical header extensions we do not know")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise OidcRefused("the token's key id is not a string")
    return str(alg), kid


def verify_with_keys(
    token: str, keys: Sequence[Jwk], *, alg: str, issuer: str, audience: str, now: datetime
) -> dict[str, Any]:
    """The token's claims if one of `keys` signed it for `issuer` and `audience` and it is
    valid at `now` (pure)."""
    claims: dict[str, Any] | None = None
    for key in keys:
        try:
            claims = jwt.decode(
                token,
                jwk.construct(dict(key), alg),
                algorithms=[alg],
                audience=audience,
                issuer=issuer,
                options=_OPTIONS,
            )
            break
        except JWTClaimsError as exc:  # signed by this key, but not for us
            raise OidcRefused("the token is for another issuer or audience") from exc
        except (JOSEError, ValueError, TypeError):
            continue
    if claims is None:
        raise OidcRefused("the token's signature does not match the provider's keys")
    try:
        check_times(claims, now=now)
    except InvalidToken as exc:
        raise OidcRefused(str(exc)) from exc
    not_before = claims.get("nbf")
    if not_before is not None:
        if not isinstance(not_before, int | float) or isinstance(not_before, bool):
            raise OidcRefused("the token's 'nbf' claim is not a time")
        if datetime.fromtimestamp(not_before, tz=UTC) > now + ALLOWED_CLOCK_SKEW:
            raise OidcRefused("the token is not valid yet")
    return claims


class KeySetSource:
    """The provider's keys, from a file (if given) or a URL, kept for `cache_for`."""

    def __init__(self, *, url: str | None, file: Path | None, cache_for: timedelta) -> None:
        if url is None and file is None:
            raise ValueError("give the key set's URL or its file")
        self._url = url
        self._file = file
        self._cache_for = cache_for
        self._keys: list[Jwk] | None = None
        self._fetched_at: datetime | None = None
        self._tried_at: datetime | None = None
        self._lock = asyncio.Lock()

    async def keys(self, *, now: datetime, refresh: bool = False) -> list[Jwk]:
        """The keys; fetched again when the copy is older than `cache_for`, or with `refresh`
        (a token named a key we lack) when the last try is `REFETCH_AFTER` ago."""
        async with self._lock:
            if self._due(now, refresh=refresh):
                self._tried_at = now
                try:
                    self._keys = await self._read()
                    self._fetched_at = now
                except (OSError, ValueError, httpx.HTTPError) as exc:
                    log.warning(
                        "oidc key set could not be read",
                        extra={"error_type": type(exc).__name__, "kept": self._keys is not None},
                    )
            if self._keys is None:
                raise KeysUnavailable("the sign-in provider's keys cannot be read now")
            return self._keys

    def _due(self, now: datetime, *, refresh: bool) -> bool:
        if self._keys is None or self._fetched_at is None:
            return self._tried_at is None or now - self._tried_at >= REFETCH_AFTER
        if refresh or now - self._fetched_at >= self._cache_for:
            return self._tried_at is None or now - self._tried_at >= REFETCH_AFTER
        return False

    async def _read(self) -> list[Jwk]:
        if self._file is not None:
            raw = await anyio.Path(self._file).read_bytes()
        else:
            assert self._url is not None
            async with httpx.AsyncClient(timeout=FETCH_TIMEOUT_SECONDS) as http:
                response = await http.get(self._url, headers={"Accept": "application/json"})
                response.raise_for_status()
                raw = response.content
        if len(raw) > MAX_KEY_SET_BYTES:
            raise ValueError("the key set is too large")
        return parse_key_set(json.loads(raw))


async def verify_token(
    token: str, *, source: KeySetSource, issuer: str, audience: str, now: datetime
) -> dict[str, Any]:
    """The claims of a provider's token, or OidcRefused (KeysUnavailable: try later)."""
    alg, kid = header_of(token)
    candidates = candidate_keys(await source.keys(now=now), alg=alg, kid=kid)
    if not candidates:
        candidates = candidate_keys(await source.keys(now=now, refresh=True), alg=alg, kid=kid)
    if not candidates:
        raise OidcRefused("no key of the provider fits the token")
    return verify_with_keys(token, candidates, alg=alg, issuer=issuer, audience=audience, now=now)
