"""Staff sign-in with an OpenID Connect provider's ID token, checked against a key set made
here (a file, or served on loopback): valid tokens start a session; expired ones, another
issuer or audience, another key, `alg: none` and HMAC with the public key are refused; a
member of another municipality signs in but sees nothing of a foreign municipality's case."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.security import HTTPAuthorizationCredentials
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.api.admin import AdminScope
from app.auth import jwks
from app.auth.municipalities import EVERY_MUNICIPALITY
from app.auth.staff import limits
from app.auth.staff.deps import current_staff
from app.auth.staff.identity import StaffIdentity
from app.auth.staff.rules import Access, CaseAccess, may_see
from app.clock import FakeClock
from app.config import Settings
from app.config.sections import StaffAuthSettings
from app.main import create_app
from app.roster.teams import service as team_service
from app.roster.teams.schemas import MemberUpdate
from app.state import AppState
from devtools.loopback import free_port, serve_loopback
from tests.conftest import START
from tests.databases import settings_for
from tests.factories import Factory, TeamSetup
from tests.staff_auth import (
    AUDIENCE,
    ISSUER,
    Provider,
    SigningKey,
    count_rows,
    key_set,
    unsigned_token,
)

OIDC_SIGNIN = "/v1/staff/signin/oidc"


@pytest.fixture(scope="module")
def provider_key() -> SigningKey:
    return SigningKey.rsa("k1")


@pytest.fixture(scope="module")
def ec_key() -> SigningKey:
    return SigningKey.ec("e1")


@pytest.fixture(scope="module")
def stranger_key() -> SigningKey:
    """Another RSA key under the provider's key id: a forger's."""
    return SigningKey.rsa("k1")


@pytest.fixture
def jwks_file(tmp_path: Path, provider_key: SigningKey, ec_key: SigningKey) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(key_set(provider_key, ec_key)))
    return path


def _oidc_settings(**overrides: Any) -> StaffAuthSettings:
    return StaffAuthSettings(mode="oidc", oidc_issuer=ISSUER, oidc_audience=AUDIENCE, **overrides)


@pytest.fixture
def settings(database_url: str, tmp_path: Path, jwks_file: Path) -> Settings:
    return settings_for(database_url, tmp_path).model_copy(
        update={"staff": _oidc_settings(oidc_jwks_file=jwks_file)}
    )


@pytest.fixture
def provider(provider_key: SigningKey, clock: FakeClock) -> Provider:
    return Provider(key=provider_key, now=clock.now())


@pytest.fixture
async def team(factory: Factory) -> TeamSetup:
    return await factory.team()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _at(seconds: int) -> int:
    """`seconds` after the test clock's start, as a JWT time."""
    return int((START + timedelta(seconds=seconds)).timestamp())


def _mobile(team: TeamSetup, index: int) -> str:
    return team.mobiles[team.member_ids[index]]


async def _sign_in(http: httpx.AsyncClient, token: str, **body: Any) -> httpx.Response:
    return await http.post(OIDC_SIGNIN, json={"id_token": token, **body})


async def _identity(state: AppState, session_token: str) -> StaffIdentity:
    """What CurrentStaff gives a route for this session token."""
    bearer = HTTPAuthorizationCredentials(scheme="Bearer", credentials=session_token)
    return await current_staff(state, bearer)


async def test_a_valid_token_starts_a_session(
    http: httpx.AsyncClient, state: AppState, provider: Provider, team: TeamSetup
) -> None:
    response = await _sign_in(http, provider.token(phone_number=_mobile(team, 1)))
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["staff"]["member_id"] == str(team.member_ids[1])
    assert body["staff"]["session"]["via"] == "oidc"
    assert body["staff"]["is_leader"] is False
    headers = {"Authorization": f"Bearer {body['session_token']}"}
    me = await http.get("/v1/staff/me", headers=headers)
    assert me.status_code == 200
    assert me.json() == body["staff"]
    assert await count_rows(state, "outbox_message") == 0  # no SMS in this mode


async def test_an_es256_token_and_a_phone_number_as_people_write_it(
    http: httpx.AsyncClient, ec_key: SigningKey, clock: FakeClock, team: TeamSetup
) -> None:
    mobile = _mobile(team, 0)
    written = f"+47 {mobile[3:6]} {mobile[6:8]} {mobile[8:]}"
    token = Provider(key=ec_key, now=clock.now()).token(phone_number=written)
    response = await _sign_in(http, token)
    assert response.status_code == 201, response.text
    assert response.json()["staff"]["is_leader"] is True


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"iat": _at(-10 * 60), "exp": _at(-1)}, "expired"),
        ({"iat": _at(-10 * 60), "exp": _at(0)}, "expired"),
        ({"exp": _at(-1)}, "expires before it was issued"),
        ({"iss": "https://login.oslo.kommune.test"}, "another issuer or audience"),
        ({"aud": "another-client"}, "another issuer or audience"),
        ({"aud": ["another-client", "third"]}, "another issuer or audience"),
        ({"iat": _at(3600), "exp": _at(7200)}, "future"),
        ({"nbf": _at(3600)}, "not valid yet"),
        ({"phone_number_verified": False}, "not verified"),
        ({"phone_number": "not a number"}, "not a phone number"),
    ],
)
async def test_refused_claims(
    http: httpx.AsyncClient,
    state: AppState,
    provider: Provider,
    team: TeamSetup,
    overrides: dict[str, Any],
    reason: str,
) -> None:
    claims = provider.claims(phone_number=_mobile(team, 1))
    claims.update(overrides)
    response = await _sign_in(http, provider.key.sign(claims))
    assert response.status_code == 401, response.text
    assert reason in response.json()["detail"]
    assert "invalid_token" in response.headers["www-authenticate"]
    assert _mobile(team, 1) not in response.text
    assert await count_rows(state, "staff_session") == 0


async def test_a_token_without_the_claim_is_refused(
    http: httpx.AsyncClient, provider: Provider
) -> None:
    response = await _sign_in(http, provider.token(phone_number=None))
    assert response.status_code == 401
    assert "'phone_number'" in response.json()["detail"]


async def test_a_token_that_expired_later_by_the_clock_is_refused(
    http: httpx.AsyncClient, provider: Provider, clock: FakeClock, team: TeamSetup
) -> None:
    token = provider.token(phone_number=_mobile(team, 1))  # 5 minutes
    clock.advance(timedelta(minutes=5))
    response = await _sign_in(http, token)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_another_key_under_the_providers_key_id_is_refused(
    http: httpx.AsyncClient,
    state: AppState,
    stranger_key: SigningKey,
    clock: FakeClock,
    team: TeamSetup,
) -> None:
    forged = Provider(key=stranger_key, now=clock.now()).token(phone_number=_mobile(team, 0))
    response = await _sign_in(http, forged)
    assert response.status_code == 401
    assert "signature" in response.json()["detail"]
    unknown_kid = stranger_key.sign(
        Provider(key=stranger_key, now=clock.now()).claims(phone_number=_mobile(team, 0)),
        kid="k9",
    )
    response = await _sign_in(http, unknown_kid)
    assert response.status_code == 401
    assert "no key" in response.json()["detail"]
    assert await count_rows(state, "staff_session") == 0


async def test_alg_none_is_refused(
    http: httpx.AsyncClient, provider: Provider, team: TeamSetup
) -> None:
    token = unsigned_token(provider.claims(phone_number=_mobile(team, 0)))
    response = await _sign_in(http, token)
    assert response.status_code == 401
    assert "algorithm is not allowed" in response.json()["detail"]


async def test_hmac_with_the_public_key_as_secret_is_refused(
    http: httpx.AsyncClient, provider: Provider, provider_key: SigningKey, team: TeamSetup
) -> None:
    """The classic key confusion: HS256 "signed" with the provider's public key."""
    claims = provider.claims(phone_number=_mobile(team, 0))
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
    signing_input = f"{header}.{_b64(json.dumps(claims).encode())}"
    for secret in (provider_key.public_pem, json.dumps(provider_key.public_jwk()).encode()):
        signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        response = await _sign_in(http, f"{signing_input}.{_b64(signature)}")
        assert response.status_code == 401
        assert "algorithm is not allowed" in response.json()["detail"]


async def test_an_rsa_token_claiming_es256_is_refused(
    http: httpx.AsyncClient, provider: Provider, team: TeamSetup
) -> None:
    """The header says ES256 with the RSA key's id: no EC key has that id."""
    token = provider.token(phone_number=_mobile(team, 0))
    _header, payload, signature = token.split(".")
    forged_header = _b64(json.dumps({"alg": "ES256", "kid": "k1"}).encode())
    response = await _sign_in(http, f"{forged_header}.{payload}.{signature}")
    assert response.status_code == 401


@pytest.mark.parametrize("garbage", ["x", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30.", "...."])
async def test_garbage_is_refused(http: httpx.AsyncClient, garbage: str) -> None:
    assert (await _sign_in(http, garbage)).status_code == 401


async def test_unknown_and_deactivated_members_are_refused(
    http: httpx.AsyncClient, state: AppState, provider: Provider, team: TeamSetup
) -> None:
    unknown = await _sign_in(http, provider.token(phone_number="+4799887766"))
    assert unknown.status_code == 403

    async with state.sessions() as session, session.begin():
        await team_service.set_member_active(
            AdminScope(session, EVERY_MUNICIPALITY, provider.now),
            team_id=team.team_id,
            member_id=team.member_ids[2],
            active=False,
        )
    inactive = await _sign_in(http, provider.token(phone_number=_mobile(team, 2)))
    assert inactive.status_code == 403
    assert await count_rows(state, "staff_session") == 0


async def test_foreign_municipality_attempts(
    http: httpx.AsyncClient, state: AppState, provider: Provider, factory: Factory
) -> None:
    """A member of Oslo signs in, but sees nothing of a Fredrikstad case, even one they were
    named on; their own municipality's case in summary, with personal data when paged."""
    await factory.team()  # Fredrikstad's team
    oslo = await factory.team(municipality="0301", name="Oslo team", member_names=("Oda", "Per"))
    response = await _sign_in(http, provider.token(phone_number=_mobile(oslo, 1)))
    assert response.status_code == 201
    staff = await _identity(state, response.json()["session_token"])
    assert staff.municipality_code == "0301" and not staff.is_leader
    me = staff.member_id
    assert may_see(staff, CaseAccess("3107")) is Access.NONE
    assert may_see(staff, CaseAccess("3107", {me}, {me})) is Access.NONE
    assert may_see(staff, CaseAccess("0301")) is Access.SUMMARY
    assert may_see(staff, CaseAccess("0301", paged_member_ids={me})) is Access.PERSONAL
    leader = await _sign_in(http, provider.token(phone_number=_mobile(oslo, 0)))
    oslo_leader = await _identity(state, leader.json()["session_token"])
    assert may_see(oslo_leader, CaseAccess("0301")) is Access.PERSONAL
    assert may_see(oslo_leader.view, CaseAccess("3107")) is Access.NONE


async def test_sms_sign_in_is_off_in_oidc_mode(http: httpx.AsyncClient, team: TeamSetup) -> None:
    response = await http.post("/v1/staff/signin/sms", json={"mobile": _mobile(team, 0)})
    assert response.status_code == 403
    link = await http.post("/v1/staff/signin/link", json={"token": "A" * 16})
    assert link.status_code == 403


async def test_refused_tokens_are_limited_per_address(
    http: httpx.AsyncClient, provider: Provider, team: TeamSetup
) -> None:
    for _ in range(limits.MISSES):
        assert (await _sign_in(http, "a.b.c")).status_code == 401
    blocked = await _sign_in(http, provider.token(phone_number=_mobile(team, 0)))
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) >= 1


async def test_matching_by_email(
    database_url: str, tmp_path: Path, jwks_file: Path, clock: FakeClock, provider: Provider
) -> None:
    settings = settings_for(database_url, tmp_path).model_copy(
        update={
            "staff": _oidc_settings(
                oidc_jwks_file=jwks_file, oidc_claim="email", oidc_match="email"
            )
        }
    )
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        state: AppState = app.state.odvarsel
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            team = await Factory(state=state, http=http, clock=clock).team()
            async with state.sessions() as session, session.begin():
                await team_service.update_member(
                    AdminScope(session, EVERY_MUNICIPALITY, clock.now()),
                    team_id=team.team_id,
                    member_id=team.member_ids[1],
                    update=MemberUpdate(email="bo.dahl@fredrikstad.kommune.no"),
                )
            claims = provider.claims(phone_number=None, email="Bo.Dahl@Fredrikstad.kommune.no")
            ok = await _sign_in(http, provider.key.sign(claims))
            assert ok.status_code == 201, ok.text
            assert ok.json()["staff"]["member_id"] == str(team.member_ids[1])
            claims["email_verified"] = False
            assert (await _sign_in(http, provider.key.sign(claims))).status_code == 401


class _KeyServer:
    """The provider's JWKS endpoint on loopback; counts fetches, keys can be rotated."""

    def __init__(self, keys: dict[str, Any]) -> None:
        self.keys = keys
        self.fetches = 0
        self.app = Starlette(routes=[Route("/jwks", self._jwks)])

    async def _jwks(self, _request: Request) -> JSONResponse:
        self.fetches += 1
        return JSONResponse(self.keys)


@pytest.fixture
async def key_server(provider_key: SigningKey) -> AsyncIterator[tuple[_KeyServer, str]]:
    server = _KeyServer(key_set(provider_key))
    async with serve_loopback(server.app) as running:
        yield server, f"{running.base_url}/jwks"


async def _app_with_jwks_url(
    database_url: str, tmp_path: Path, clock: FakeClock, url: str
) -> FastAPI:
    settings = settings_for(database_url, tmp_path).model_copy(
        update={"staff": _oidc_settings(oidc_jwks_url=url, oidc_jwks_cache_minutes=60)}
    )
    return create_app(settings, clock=clock)


async def test_the_key_set_is_fetched_cached_and_refetched_for_a_new_key(
    database_url: str,
    tmp_path: Path,
    clock: FakeClock,
    provider: Provider,
    ec_key: SigningKey,
    key_server: tuple[_KeyServer, str],
) -> None:
    server, url = key_server
    app = await _app_with_jwks_url(database_url, tmp_path, clock, url)
    async with app.router.lifespan_context(app):
        state: AppState = app.state.odvarsel
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            team = await Factory(state=state, http=http, clock=clock).team()
            for index in (0, 1):
                token = provider.token(phone_number=_mobile(team, index))
                assert (await _sign_in(http, token)).status_code == 201
            assert server.fetches == 1  # cached
            # The provider rotates: a token with the new key's id fetches the set again (once
            # the last fetch is REFETCH_AFTER ago).
            server.keys = key_set(provider.key, ec_key)
            clock.advance(jwks.REFETCH_AFTER)
            rotated = Provider(key=ec_key, now=clock.now()).token(phone_number=_mobile(team, 2))
            assert (await _sign_in(http, rotated)).status_code == 201
            assert server.fetches == 2
            # An unknown key id does not fetch again within REFETCH_AFTER.
            unknown = provider.key.sign(provider.claims(phone_number=_mobile(team, 0)), kid="k9")
            assert (await _sign_in(http, unknown)).status_code == 401
            assert server.fetches == 2
            # After the cache time the set is fetched again.
            clock.advance(timedelta(minutes=60))  # since the second fetch
            fresh = Provider(key=provider.key, now=clock.now())
            assert (
                await _sign_in(http, fresh.token(phone_number=_mobile(team, 0)))
            ).status_code == 201
            assert server.fetches == 3


async def test_an_unreachable_key_set_answers_503(
    database_url: str, tmp_path: Path, clock: FakeClock, provider: Provider
) -> None:
    url = f"http://127.0.0.1:{free_port()}/jwks"  # nothing listens there
    app = await _app_with_jwks_url(database_url, tmp_path, clock, url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await _sign_in(http, provider.token(phone_number="+4791000001"))
            assert response.status_code == 503
            assert response.headers["retry-after"] == "30"


def test_oidc_mode_needs_its_settings() -> None:
    with pytest.raises(ValueError, match="STAFF__OIDC_ISSUER"):
        StaffAuthSettings(mode="oidc", oidc_audience=AUDIENCE, oidc_jwks_url="https://x/jwks")
    with pytest.raises(ValueError, match="STAFF__OIDC_JWKS_URL"):
        StaffAuthSettings(mode="oidc", oidc_issuer=ISSUER, oidc_audience=AUDIENCE)
    for insecure in ("http://login.example/jwks", "http://localhost.example/jwks"):
        with pytest.raises(ValueError, match="oidc_jwks_url"):
            StaffAuthSettings(oidc_jwks_url=insecure)
    StaffAuthSettings(oidc_jwks_url="http://127.0.0.1:8080/jwks")


@pytest.mark.parametrize(
    ("key", "alg", "kid", "fits"),
    [
        ({"kty": "RSA", "kid": "k1"}, "RS256", "k1", True),
        ({"kty": "RSA", "kid": "k1"}, "RS256", None, True),
        ({"kty": "RSA", "kid": "k2"}, "RS256", "k1", False),
        ({"kty": "RSA", "kid": "k1", "use": "enc"}, "RS256", "k1", False),
        ({"kty": "RSA", "kid": "k1", "alg": "RS512"}, "RS256", "k1", False),
        ({"kty": "RSA", "kid": "k1", "key_ops": ["encrypt"]}, "RS256", "k1", False),
        ({"kty": "RSA", "kid": "k1"}, "ES256", "k1", False),
        ({"kty": "EC", "crv": "P-256", "kid": "k1"}, "ES256", "k1", True),
        ({"kty": "EC", "crv": "P-384", "kid": "k1"}, "ES256", "k1", False),
        ({"kty": "oct", "kid": "k1"}, "RS256", "k1", False),
    ],
)
def test_candidate_keys(key: dict[str, Any], alg: str, kid: str | None, fits: bool) -> None:
    assert (jwks.candidate_keys([key], alg=alg, kid=kid) == [key]) is fits
