"""Revoking API clients: deactivation and secret rotation take effect before tokens expire;
a token naming a client that does not exist (or no longer does) is refused."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from jose import jwt
from sqlalchemy import text
from typer.testing import CliRunner

from app.auth.scopes import Scope
from app.cli import cli
from app.clock import FakeClock, SystemClock
from app.config import get_settings
from app.state import AppState
from tests.databases import TEST_JWT_SECRET
from tests.factories import ApiCredentials, Factory, alert_body
from tests.problems import assert_problem

CLIENTS = "/v1/admin/clients"
CLIENT_ADMIN = ("admin:clients", Scope.ALERTS_WRITE, Scope.ALERTS_READ)


async def post_alert(http: httpx.AsyncClient, who: ApiCredentials) -> httpx.Response:
    return await http.post("/v1/alerts", json=alert_body(), headers=who.headers)


async def token_response(http: httpx.AsyncClient, client_id: str, secret: str) -> httpx.Response:
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return await http.post("/v1/oauth/token", data=data)


def assert_refused_token(response: httpx.Response) -> None:
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_a_token_naming_no_client_is_refused(http: httpx.AsyncClient, clock: FakeClock):
    now = int(clock.now().timestamp())
    claims = {
        "iss": "odvarsel",
        "aud": "odvarsel-api",
        "sub": "no-such-client",
        "scope": "admin",
        "iat": now,
        "exp": now + 600,
    }
    token = jwt.encode(claims, TEST_JWT_SECRET, algorithm="HS256")
    response = await http.get("/v1/admin/teams", headers={"Authorization": f"Bearer {token}"})
    assert_refused_token(response)


async def test_deactivation_through_the_api_refuses_tokens_at_once(
    factory: Factory, http: httpx.AsyncClient
):
    admin = await factory.api_client(scopes=CLIENT_ADMIN)
    amk = await factory.api_client()
    assert (await post_alert(http, amk)).status_code == 201
    response = await http.post(f"{CLIENTS}/{amk.client_id}/deactivate", headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    assert_refused_token(await post_alert(http, amk))
    refused = await token_response(http, amk.client_id, amk.secret)
    assert assert_problem(refused, 401)["error"] == "invalid_client"


async def test_a_client_cannot_deactivate_itself(factory: Factory, http: httpx.AsyncClient):
    admin = await factory.api_client(scopes=CLIENT_ADMIN)
    response = await http.post(f"{CLIENTS}/{admin.client_id}/deactivate", headers=admin.headers)
    assert "itself" in assert_problem(response, 409)["detail"]
    assert (await http.get(CLIENTS, headers=admin.headers)).status_code == 200


@pytest.mark.parametrize(
    "statements",
    [
        ["UPDATE api_client SET active = false WHERE id = :id"],
        [
            "DELETE FROM api_client_municipality WHERE client_id = :id",
            "DELETE FROM api_client WHERE id = :id",
        ],
    ],
    ids=["deactivated", "deleted"],
)
async def test_a_client_changed_elsewhere_is_refused_within_seconds(
    factory: Factory, http: httpx.AsyncClient, state: AppState, clock: FakeClock, statements
):
    # Another process (the CLI) changes the row: this process sees it once its brief cache
    # of the client has expired.
    admin = await factory.api_client(scopes=(Scope.ADMIN,))
    assert (await http.get("/v1/admin/teams", headers=admin.headers)).status_code == 200
    async with state.engine.begin() as connection:
        for statement in statements:
            await connection.execute(text(statement), {"id": admin.client_id})
    clock.advance(timedelta(seconds=10))  # the cache keeps a client for 5 seconds
    assert_refused_token(await http.get("/v1/admin/teams", headers=admin.headers))


async def test_rotating_the_secret_refuses_old_tokens_and_the_old_secret(
    factory: Factory, http: httpx.AsyncClient
):
    admin = await factory.api_client(scopes=CLIENT_ADMIN)
    amk = await factory.api_client()
    rotated = await http.post(f"{CLIENTS}/{amk.client_id}/rotate-secret", headers=admin.headers)
    assert rotated.status_code == 200, rotated.text
    assert rotated.headers["cache-control"] == "no-store"
    new_secret = rotated.json()["client_secret"]
    assert new_secret != amk.secret
    assert_refused_token(await post_alert(http, amk))
    old = await token_response(http, amk.client_id, amk.secret)
    assert assert_problem(old, 401)["error"] == "invalid_client"
    fresh = await token_response(http, amk.client_id, new_secret)
    assert fresh.status_code == 200, fresh.text
    amk.token = fresh.json()["access_token"]
    assert (await post_alert(http, amk)).status_code == 201


async def test_clients_are_listed_and_changed_only_within_own_municipalities(
    factory: Factory, http: httpx.AsyncClient
):
    admin = await factory.api_client(scopes=CLIENT_ADMIN)
    own = await factory.api_client()
    shared = await factory.api_client(municipalities=("3107", "0301"))
    oslo = await factory.api_client(municipalities=("0301",))
    listed = await http.get(CLIENTS, headers=admin.headers)
    assert listed.status_code == 200, listed.text
    ids = {c["id"] for c in listed.json()}
    assert {admin.client_id, own.client_id} <= ids
    assert shared.client_id not in ids and oslo.client_id not in ids
    [entry] = [c for c in listed.json() if c["id"] == own.client_id]
    assert entry["municipalities"] == ["3107"] and entry["active"] is True
    assert "secret_hash" not in entry
    for other in (shared, oslo):
        for action in ("deactivate", "rotate-secret"):
            refused = await http.post(
                f"{CLIENTS}/{other.client_id}/{action}", headers=admin.headers
            )
            missing = await http.post(f"{CLIENTS}/no-such-client/{action}", headers=admin.headers)
            assert assert_problem(refused, 404)["title"] == assert_problem(missing, 404)["title"]
        still = await http.post(
            "/v1/alerts", json=alert_body(municipality="0301"), headers=other.headers
        )
        assert still.status_code == 201, still.text


async def test_a_secret_is_not_rotated_into_scopes_the_caller_lacks(
    factory: Factory, http: httpx.AsyncClient
):
    admin = await factory.api_client(scopes=("admin:clients",))
    case_system = await factory.api_client(scopes=(Scope.ALERTS_DETAILS,))
    refused = await http.post(
        f"{CLIENTS}/{case_system.client_id}/rotate-secret", headers=admin.headers
    )
    assert_problem(refused, 403)
    assert (
        await token_response(http, case_system.client_id, case_system.secret)
    ).status_code == 200


async def test_the_clients_api_needs_its_scope(factory: Factory, http: httpx.AsyncClient):
    admin = await factory.api_client(scopes=(Scope.ADMIN,))
    refused = await http.get(CLIENTS, headers=admin.headers)
    assert "admin:clients" in assert_problem(refused, 403)["detail"]


def test_cli_lists_deactivates_and_rotates(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
):
    # The commands are a composition root reading SystemClock; here it tells the test's time.
    monkeypatch.setattr(SystemClock, "now", lambda _self: clock.now())
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str):
        result = runner.invoke(cli, list(args))
        assert result.exit_code == 0, result.output
        return result

    try:
        run("seed-demo")
        created = run(
            "create-client", "--name", "Ops", "--municipality", "3107",
            "--scope", "admin:municipalities",
        )  # fmt: skip
        client_id = created.stdout.split("client_id=")[1].split()[0]
        listing = run("client", "list").stdout
        assert client_id in listing and "demo-amk" in listing and "admin:municipalities" in listing
        rotated = run("client", "rotate-secret", client_id).stdout
        assert "client_secret=" in rotated
        run("client", "deactivate", client_id)
        line = next(x for x in run("client", "list").stdout.splitlines() if client_id in x)
        assert "inactive" in line
        missing = runner.invoke(cli, ["client", "deactivate", "no-such-client"])
        assert missing.exit_code == 1
        # The operator has no client: "among this client's municipalities" puzzled one.
        assert "error: No such client (odvarsel client list" in missing.stderr
        assert "this client" not in missing.stderr
    finally:
        get_settings.cache_clear()
