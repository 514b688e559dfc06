"""Client credentials, tokens and their rejection."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import httpx
import pytest
from jose import jwt

from app.auth.scopes import Scope
from app.clock import FakeClock
from app.state import AppState
from tests.databases import TEST_JWT_SECRET
from tests.factories import Factory, alert_body
from tests.problems import assert_problem


async def post_alert(http: httpx.AsyncClient, token: str) -> httpx.Response:
    return await http.post(
        "/v1/alerts", json=alert_body(), headers={"Authorization": f"Bearer {token}"}
    )


async def test_token_is_issued_for_form_credentials(factory: Factory, http: httpx.AsyncClient):
    client = await factory.api_client(with_token=False)
    response = await http.post(
        "/v1/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.secret,
        },
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert set(body["scope"].split()) == {"alerts:write", "alerts:read"}
    claims = jwt.get_unverified_claims(body["access_token"])
    assert claims["sub"] == client.client_id
    assert claims["aud"] == "odvarsel-api" and claims["iss"] == "odvarsel"
    assert claims["exp"] - claims["iat"] == 3600
    assert (await post_alert(http, body["access_token"])).status_code == 201


async def test_token_is_issued_for_http_basic_credentials(
    factory: Factory, http: httpx.AsyncClient
):
    client = await factory.api_client(with_token=False)
    basic = base64.b64encode(f"{client.client_id}:{client.secret}".encode()).decode()
    response = await http.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials", "scope": "alerts:write"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "alerts:write"


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"client_secret": "wrong-secret"}, 401, "invalid_client"),
        ({"client_id": "no-such-client"}, 401, "invalid_client"),
        ({"client_secret": ""}, 401, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"scope": "admin"}, 400, "invalid_scope"),
    ],
)
async def test_token_requests_are_refused(
    factory: Factory, http: httpx.AsyncClient, form: dict[str, str], status: int, error: str
):
    client = await factory.api_client(with_token=False)
    data = {
        "grant_type": "client_credentials",
        "client_id": client.client_id,
        "client_secret": client.secret,
        **form,
    }
    body = assert_problem(await http.post("/v1/oauth/token", data=data), status)
    assert body["error"] == error


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"grant_type": "client_credentials"}'),
        ("application/json; charset=utf-8", b"{}"),
        ("text/plain", b"grant_type=client_credentials"),
    ],
)
async def test_a_body_that_is_no_form_is_refused_with_415(
    factory: Factory, http: httpx.AsyncClient, content_type: str, body: bytes
):
    client = await factory.api_client(with_token=False)
    if content_type.startswith("application/json") and body != b"{}":
        body = json.dumps(
            {
                "grant_type": "client_credentials",
                "client_id": client.client_id,
                "client_secret": client.secret,
            }
        ).encode()
    response = await http.post(
        "/v1/oauth/token", content=body, headers={"Content-Type": content_type}
    )
    problem = assert_problem(response, 415)
    assert problem["type"].endswith("/unsupported-media-type")
    assert "application/x-www-form-urlencoded" in problem["detail"]
    # The same credentials as a form get a token.
    form = {"grant_type": "client_credentials", "client_id": client.client_id}
    ok = await http.post("/v1/oauth/token", data={**form, "client_secret": client.secret})
    assert ok.status_code == 200, ok.text


async def test_missing_grant_type_is_a_validation_problem(http: httpx.AsyncClient):
    body = assert_problem(await http.post("/v1/oauth/token", data={}), 422)
    assert {"field": "grant_type", "reason": "Field required"} in body["errors"]


def forge(claims: dict[str, object], *, key: str = TEST_JWT_SECRET, alg: str = "HS256") -> str:
    return str(jwt.encode(claims, key, algorithm=alg))


def unsigned(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.fixture
async def valid_claims(factory: Factory, clock: FakeClock) -> dict[str, object]:
    client = await factory.api_client(with_token=False)
    now = int(clock.now().timestamp())
    return {
        "iss": "odvarsel",
        "aud": "odvarsel-api",
        "sub": client.client_id,
        "scope": "alerts:write alerts:read",
        "iat": now,
        "exp": now + 600,
    }


async def test_a_well_formed_forged_token_works_with_the_real_key(
    http: httpx.AsyncClient, valid_claims: dict[str, object]
):
    # The control for the rejections below: the same claims signed with the real key pass.
    assert (await post_alert(http, forge(valid_claims))).status_code == 201


@pytest.mark.parametrize(
    ("change", "how"),
    [
        ({"aud": "another-api"}, "wrong audience"),
        ({"iss": "someone-else"}, "wrong issuer"),
        ({"exp": None}, "no expiry"),
        ({"iat": None}, "no issued-at"),
        ({"aud": None}, "no audience"),
        ({"iss": None}, "no issuer"),
        ({"exp": "9999999999"}, "expiry as a string"),
        ({"iat": True}, "issued-at as a boolean"),
        ({"exp": 10**20}, "expiry out of range"),
        ({"scope": ["admin"]}, "scope as a list"),
    ],
)
async def test_tokens_with_wrong_claims_are_refused(
    http: httpx.AsyncClient, valid_claims: dict[str, object], change: dict[str, object], how: str
):
    claims = {**valid_claims, **change}
    claims = {k: v for k, v in claims.items() if v is not None}
    response = await post_alert(http, forge(claims))
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_token_issued_in_the_future_is_refused(
    http: httpx.AsyncClient, valid_claims: dict[str, object]
):
    issued = int(str(valid_claims["iat"])) + 3600
    claims = {**valid_claims, "iat": issued, "exp": issued + 600}
    body = assert_problem(await post_alert(http, forge(claims)), 401)
    assert "future" in str(body["detail"])


async def test_alg_none_is_refused(http: httpx.AsyncClient, valid_claims: dict[str, object]):
    body = assert_problem(await post_alert(http, unsigned(valid_claims)), 401)
    assert "algorithm" in str(body["detail"])


async def test_token_signed_with_another_key_is_refused(
    http: httpx.AsyncClient, valid_claims: dict[str, object]
):
    other_key = "another-signing-key-0123456789-abcdefghijk"
    assert_problem(await post_alert(http, forge(valid_claims, key=other_key)), 401)


async def test_token_signed_with_another_algorithm_is_refused(
    http: httpx.AsyncClient, valid_claims: dict[str, object]
):
    assert_problem(await post_alert(http, forge(valid_claims, alg="HS512")), 401)


async def test_expired_token_is_refused(
    factory: Factory, http: httpx.AsyncClient, clock: FakeClock
):
    client = await factory.api_client()
    clock.advance(timedelta(minutes=59))
    assert (await post_alert(http, client.token)).status_code == 201
    clock.advance(timedelta(minutes=1))
    response = await post_alert(http, client.token)
    body = assert_problem(response, 401)
    assert "expired" in str(body["detail"])
    assert "POST /v1/oauth/token" in str(body["detail"])
    assert "Signature" not in str(body["detail"])  # python-jose's wording stays inside
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


@pytest.mark.parametrize(
    ("header", "challenge"),
    [
        (None, "Bearer"),
        ("Bearer", "Bearer"),
        ("Basic abc", "Bearer"),
        ("Token abc.def.ghi", "Bearer"),
        ("Bearer not-a-jwt", 'Bearer error="invalid_token"'),
    ],
)
async def test_missing_or_malformed_authorization_is_refused(
    http: httpx.AsyncClient, header: str | None, challenge: str
):
    headers = {"Authorization": header} if header else {}
    response = await http.post("/v1/alerts", json=alert_body(), headers=headers)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == challenge


async def test_missing_scope_is_forbidden(factory: Factory, http: httpx.AsyncClient):
    reader = await factory.api_client(scopes=(Scope.ALERTS_READ,))
    body = assert_problem(await post_alert(http, reader.token), 403)
    assert "alerts:write" in str(body["detail"])


async def test_client_secret_is_stored_only_as_a_slow_hash(factory: Factory, state: AppState):
    client = await factory.api_client(with_token=False)
    async with state.engine.connect() as connection:
        rows = (await connection.exec_driver_sql("SELECT secret_hash FROM api_client")).all()
    assert rows and all(client.secret not in row[0] for row in rows)
    assert all(row[0].startswith("$argon2id$") for row in rows)
