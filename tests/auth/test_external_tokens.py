"""Machine clients with access tokens from an OIDC issuer (HelseID's stand-in: a key set made
here, served on loopback by devtools.fake_jwks): a valid token posts an alert as the
registered client its `client_id` names; another issuer or audience, an expired token,
`alg: none`, HS256 signed with the public key, an unknown or deactivated client, and a
municipality the client is not bound to are refused; a rotated key is fetched once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.auth import jwks
from app.auth import service as auth_service
from app.auth.directory import CACHE_SECONDS
from app.auth.municipalities import EVERY_MUNICIPALITY
from app.auth.scopes import Scope
from app.clock import FakeClock
from app.config import Settings
from app.config.sections import ClientOidcSettings
from app.state import AppState
from devtools.fake_jwks import JWKS_PATH, FakeJwks
from tests.databases import settings_for
from tests.factories import ApiCredentials, Factory, alert_body, count_alerts
from tests.problems import assert_problem
from tests.staff_auth import SigningKey, key_set, unsigned_token

ISSUER = "https://helseid-sts.test"
AUDIENCE = "odvarsel-api-test"


@pytest.fixture(scope="module")
def issuer_key() -> SigningKey:
    return SigningKey.rsa("helseid-1")


@pytest.fixture(scope="module")
def rotated_key() -> SigningKey:
    return SigningKey.ec("helseid-2")


@pytest.fixture
async def issuer(issuer_key: SigningKey) -> AsyncIterator[tuple[FakeJwks, str]]:
    fake = FakeJwks(key_set(issuer_key))
    async with fake.serving() as base_url:
        yield fake, base_url + JWKS_PATH


@pytest.fixture
def settings(database_url: str, tmp_path: Path, issuer: tuple[FakeJwks, str]) -> Settings:
    client_oidc = ClientOidcSettings(
        enabled=True, issuer=ISSUER, audience=AUDIENCE, jwks_url=issuer[1]
    )
    return settings_for(database_url, tmp_path).model_copy(update={"client_oidc": client_oidc})


def claims(clock: FakeClock, client_id: str, **overrides: Any) -> dict[str, Any]:
    """What HelseID puts in a client-credentials access token (the parts we read, and some)."""
    now = int(clock.now().timestamp())
    return {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "client_id": client_id,
        "scope": ["nhn:odvarsel/alerts"],
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
        **overrides,
    }


async def post_with(http: httpx.AsyncClient, token: str, **body: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return await http.post("/v1/alerts", json=alert_body(**body), headers=headers)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_with_public_key(key: SigningKey, payload: dict[str, Any]) -> str:
    """The classic confusion attack: the issuer's public key used as an HMAC secret."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": key.kid}).encode())
    body = _b64(json.dumps(payload).encode())
    mac = hmac.new(key.public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(mac)}"


@pytest.fixture
async def amk(factory: Factory) -> ApiCredentials:
    return await factory.api_client(with_token=False)


async def test_a_token_of_the_issuer_posts_an_alert_as_the_registered_client(
    http: httpx.AsyncClient, state: AppState, clock: FakeClock, issuer_key: SigningKey, amk
) -> None:
    token = issuer_key.sign(claims(clock, amk.client_id))
    created = await post_with(http, token)
    assert created.status_code == 201, created.text
    assert await count_alerts(state) == 1
    # The client's registered scopes hold: it may read what it posted.
    alert_id = created.json()["id"]
    read = await http.get(f"/v1/alerts/{alert_id}", headers={"Authorization": f"Bearer {token}"})
    assert read.status_code == 200, read.text


async def test_our_own_tokens_still_work(factory: Factory, http: httpx.AsyncClient) -> None:
    credentials = await factory.api_client()
    assert (await post_with(http, credentials.token)).status_code == 201


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda key, c: key.sign({**c, "iss": "https://evil.test"}), id="issuer"),
        pytest.param(lambda key, c: key.sign({**c, "aud": "another-api"}), id="audience"),
        pytest.param(lambda key, c: key.sign({**c, "aud": ["another-api"]}), id="audience-list"),
        pytest.param(
            lambda key, c: key.sign({**c, "iat": c["iat"] - 3600, "exp": c["iat"] - 60}),
            id="expired",
        ),
        pytest.param(lambda key, c: key.sign({**c, "iat": c["iat"] + 3600}), id="future"),
        pytest.param(lambda key, c: unsigned_token(c), id="alg-none"),
        pytest.param(hs256_with_public_key, id="hs256-public-key"),
        pytest.param(lambda key, c: SigningKey.rsa(key.kid).sign(c), id="forged-key"),
        pytest.param(
            lambda key, c: key.sign({k: v for k, v in c.items() if k != "client_id"}),
            id="no-client-id",
        ),
        pytest.param(lambda key, c: key.sign({**c, "client_id": "nobody-here"}), id="unknown"),
    ],
)
async def test_refused_tokens(
    http: httpx.AsyncClient, state: AppState, clock: FakeClock, issuer_key, amk, forge
) -> None:
    response = await post_with(http, forge(issuer_key, claims(clock, amk.client_id)))
    body = assert_problem(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert "refused" in body["detail"]
    assert await count_alerts(state) == 0


async def test_a_deactivated_client_is_refused(
    http: httpx.AsyncClient, state: AppState, clock: FakeClock, issuer_key: SigningKey, amk
) -> None:
    token = issuer_key.sign(claims(clock, amk.client_id))
    assert (await post_with(http, token)).status_code == 201
    async with state.sessions() as session, session.begin():
        await auth_service.deactivate_client(
            session, client_id=amk.client_id, municipalities=EVERY_MUNICIPALITY
        )
    clock.advance(timedelta(seconds=CACHE_SECONDS))  # the directory's cache
    assert_problem(await post_with(http, token), 401)


async def test_a_client_posts_only_for_its_own_municipalities(
    factory: Factory, http: httpx.AsyncClient, state: AppState, clock: FakeClock, issuer_key
) -> None:
    oslo = await factory.api_client(municipalities=("0301",), with_token=False)
    await factory.standby_team("3107")
    token = issuer_key.sign(claims(clock, oslo.client_id))
    body = assert_problem(await post_with(http, token, municipality="3107"), 403)
    assert body["type"].endswith("/alert-not-delivered")
    assert await count_alerts(state) == 0


async def test_a_client_without_the_scope_is_refused(
    factory: Factory, http: httpx.AsyncClient, clock: FakeClock, issuer_key: SigningKey
) -> None:
    reader = await factory.api_client(scopes=(Scope.ALERTS_READ,), with_token=False)
    token = issuer_key.sign(claims(clock, reader.client_id, scope=["nhn:odvarsel/alerts"]))
    assert_problem(await post_with(http, token), 403)


async def test_a_rotated_key_is_fetched_once(
    http: httpx.AsyncClient,
    clock: FakeClock,
    issuer: tuple[FakeJwks, str],
    issuer_key: SigningKey,
    rotated_key: SigningKey,
    amk,
) -> None:
    fake, _ = issuer
    assert (await post_with(http, issuer_key.sign(claims(clock, amk.client_id)))).status_code == 201
    assert (await post_with(http, issuer_key.sign(claims(clock, amk.client_id)))).status_code == 201
    assert fake.fetches == 1  # cached
    fake.keys = key_set(issuer_key, rotated_key)
    clock.advance(jwks.REFETCH_AFTER)
    rotated = rotated_key.sign(claims(clock, amk.client_id))
    assert (await post_with(http, rotated)).status_code == 201
    assert fake.fetches == 2
    # A key id the issuer does not have: no second fetch within REFETCH_AFTER.
    unknown = issuer_key.sign(claims(clock, amk.client_id), kid="helseid-9")
    assert_problem(await post_with(http, unknown), 401)
    assert (
        await post_with(http, rotated_key.sign(claims(clock, amk.client_id)))
    ).status_code == 201
    assert fake.fetches == 2


async def test_off_by_default(
    database_url: str, tmp_path: Path, clock: FakeClock, issuer_key: SigningKey
) -> None:
    from app.main import create_app

    app = create_app(settings_for(database_url, tmp_path), clock=clock)
    async with app.router.lifespan_context(app):
        state: AppState = app.state.odvarsel
        assert state.external_tokens is None
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            amk = await Factory(state=state, http=http, clock=clock).api_client(with_token=False)
            token = issuer_key.sign(claims(clock, amk.client_id))
            assert_problem(await post_with(http, token), 401)


async def test_an_unreachable_key_set_answers_503(
    database_url: str, tmp_path: Path, clock: FakeClock, issuer_key: SigningKey
) -> None:
    from app.main import create_app
    from devtools.loopback import free_port

    client_oidc = ClientOidcSettings(
        enabled=True,
        issuer=ISSUER,
        audience=AUDIENCE,
        jwks_url=f"http://127.0.0.1:{free_port()}/jwks",  # nothing listens there
    )
    settings = settings_for(database_url, tmp_path).model_copy(update={"client_oidc": client_oidc})
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await post_with(http, issuer_key.sign(claims(clock, "amk-somewhere")))
            assert_problem(response, 503)
            assert response.headers["retry-after"] == "30"


def test_enabled_needs_its_settings() -> None:
    with pytest.raises(ValueError, match="CLIENT_OIDC__ISSUER"):
        ClientOidcSettings(enabled=True, audience=AUDIENCE, jwks_url="https://x/jwks")
    with pytest.raises(ValueError, match="CLIENT_OIDC__JWKS_URL"):
        ClientOidcSettings(enabled=True, issuer=ISSUER, audience=AUDIENCE)
    with pytest.raises(ValueError, match="jwks_url"):
        ClientOidcSettings(jwks_url="http://helseid.example/jwks")
    ClientOidcSettings()  # off: nothing needed
