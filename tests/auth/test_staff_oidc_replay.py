"""An OIDC ID token signs in once: the same token again (or another with its `jti`) is refused
until it expires, then it is refused as expired; different tokens each sign in; a sign-in
refused for another reason (choose a team) does not use the token up."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.api.admin import AdminScope
from app.auth.municipalities import EVERY_MUNICIPALITY
from app.auth.staff import oidc
from app.auth.tokens import ALLOWED_CLOCK_SKEW
from app.clock import FakeClock
from app.config import Settings
from app.config.sections import StaffAuthSettings
from app.roster.teams import service as team_service
from app.roster.teams.schemas import MemberUpdate
from app.state import AppState
from tests.databases import settings_for
from tests.factories import Factory, TeamSetup
from tests.problems import assert_problem
from tests.staff_auth import AUDIENCE, ISSUER, Provider, SigningKey, count_rows, key_set

OIDC_SIGNIN = "/v1/staff/signin/oidc"


@pytest.fixture(scope="module")
def provider_key() -> SigningKey:
    return SigningKey.rsa("k1")


@pytest.fixture
def settings(database_url: str, tmp_path: Path, provider_key: SigningKey) -> Settings:
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(key_set(provider_key)))
    staff = StaffAuthSettings(
        mode="oidc", oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks_file=jwks
    )
    return settings_for(database_url, tmp_path).model_copy(update={"staff": staff})


@pytest.fixture
def provider(provider_key: SigningKey, clock: FakeClock) -> Provider:
    return Provider(key=provider_key, now=clock.now())


@pytest.fixture
async def team(factory: Factory) -> TeamSetup:
    return await factory.team()


def _mobile(team: TeamSetup, index: int) -> str:
    return team.mobiles[team.member_ids[index]]


async def _sign_in(http: httpx.AsyncClient, token: str, **body: Any) -> httpx.Response:
    return await http.post(OIDC_SIGNIN, json={"id_token": token, **body})


def _assert_replay_refused(response: httpx.Response) -> None:
    """The refusal of any bad token: 401 problem details, `invalid_token`."""
    body = assert_problem(response, 401)
    assert body["detail"] == (
        "The ID token was refused: the token was already used to sign in; sign in again."
    )
    assert response.headers["www-authenticate"] == 'Bearer realm="staff", error="invalid_token"'


@pytest.mark.parametrize("jti", [None, "id-7f3a"], ids=["no-jti", "jti"])
async def test_the_same_token_signs_in_once(
    http: httpx.AsyncClient,
    state: AppState,
    provider: Provider,
    team: TeamSetup,
    jti: str | None,
) -> None:
    extra = {"jti": jti} if jti is not None else {}
    token = provider.token(phone_number=_mobile(team, 1), **extra)
    first = await _sign_in(http, token)
    assert first.status_code == 201, first.text
    _assert_replay_refused(await _sign_in(http, token))
    _assert_replay_refused(await _sign_in(http, token))
    assert await count_rows(state, "staff_session") == 1
    # The first session still works.
    headers = {"Authorization": f"Bearer {first.json()['session_token']}"}
    assert (await http.get("/v1/staff/me", headers=headers)).status_code == 200


async def test_different_tokens_each_sign_in(
    http: httpx.AsyncClient, state: AppState, provider: Provider, team: TeamSetup
) -> None:
    """Two tokens for the same member (two sign-ins at the provider), with and without `jti`."""
    tokens = [
        provider.token(phone_number=_mobile(team, 1)),
        provider.token(phone_number=_mobile(team, 1)),  # another `sub`: another token
        provider.token(phone_number=_mobile(team, 1), jti="a"),
        provider.token(phone_number=_mobile(team, 1), jti="b"),
    ]
    for token in tokens:
        assert (await _sign_in(http, token)).status_code == 201
    assert await count_rows(state, "staff_session") == 4


async def test_another_token_with_a_used_jti_is_refused(
    http: httpx.AsyncClient, provider: Provider, team: TeamSetup
) -> None:
    """The provider names each token by its `jti`: a copy re-encoded or re-signed differs in
    bytes but not in `jti`."""
    assert (
        await _sign_in(http, provider.token(phone_number=_mobile(team, 1), jti="j1"))
    ).status_code == 201
    again = provider.token(phone_number=_mobile(team, 0), jti="j1")
    _assert_replay_refused(await _sign_in(http, again))


async def test_a_used_token_is_refused_as_expired_once_its_window_has_passed(
    http: httpx.AsyncClient, state: AppState, provider: Provider, clock: FakeClock, team: TeamSetup
) -> None:
    token = provider.token(phone_number=_mobile(team, 1))  # 5 minutes
    assert (await _sign_in(http, token)).status_code == 201
    clock.advance(timedelta(minutes=5) - timedelta(seconds=1))
    _assert_replay_refused(await _sign_in(http, token))
    clock.advance(timedelta(seconds=1))
    expired = await _sign_in(http, token)
    assert (
        assert_problem(expired, 401)["detail"] == "The ID token was refused: the token has expired."
    )
    # The record is dropped once the skew has passed too, when a later token is used.
    clock.advance(ALLOWED_CLOCK_SKEW)
    fresh = Provider(key=provider.key, now=clock.now()).token(phone_number=_mobile(team, 1))
    assert (await _sign_in(http, fresh)).status_code == 201
    assert await count_rows(state, "used_once") == 1


async def test_a_sign_in_refused_to_choose_a_team_does_not_use_the_token(
    http: httpx.AsyncClient, state: AppState, provider: Provider, factory: Factory
) -> None:
    fredrikstad = await factory.team(member_names=("Ada Lund",))
    oslo = await factory.team(municipality="0301", name="Oslo team", member_names=("Bo",))
    mobile = _mobile(fredrikstad, 0)
    async with state.sessions() as session, session.begin():
        await team_service.update_member(
            AdminScope(session, EVERY_MUNICIPALITY, provider.now),
            team_id=oslo.team_id,
            member_id=oslo.member_ids[0],
            update=MemberUpdate(mobile=mobile),
        )
    token = provider.token(phone_number=mobile, jti="choose")
    assert (await _sign_in(http, token)).status_code == 409
    chosen = await _sign_in(http, token, team_id=str(oslo.team_id))
    assert chosen.status_code == 201, chosen.text
    assert chosen.json()["staff"]["municipality"] == "0301"
    _assert_replay_refused(await _sign_in(http, token, team_id=str(fredrikstad.team_id)))


async def test_concurrent_uses_of_one_token_start_one_session(
    http: httpx.AsyncClient, state: AppState, provider: Provider, team: TeamSetup
) -> None:
    token = provider.token(phone_number=_mobile(team, 1))
    answers = await asyncio.gather(*(_sign_in(http, token) for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [201, 401, 401, 401]
    assert await count_rows(state, "staff_session") == 1


@pytest.mark.parametrize(
    ("claims", "token", "key"),
    [
        ({"iss": "https://idp", "jti": "abc"}, "t1", "jti\x00https://idp\x00abc"),
        ({"iss": "https://idp", "jti": "abc"}, "t2", "jti\x00https://idp\x00abc"),
        ({"iss": "https://other", "jti": "abc"}, "t1", "jti\x00https://other\x00abc"),
        ({"iss": "https://idp"}, "t1", "token\x00t1"),
        ({"iss": "https://idp", "jti": ""}, "t1", "token\x00t1"),
        ({"iss": "https://idp", "jti": 42}, "t1", "token\x00t1"),
    ],
    ids=["jti", "jti-other-bytes", "jti-other-issuer", "no-jti", "empty-jti", "number-jti"],
)
def test_replay_key(claims: dict[str, Any], token: str, key: str) -> None:
    assert oidc.replay_key(claims, token=token) == key


def test_a_used_token_is_remembered_until_it_expires_and_the_skew() -> None:
    expires = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
    claims = {"exp": int(expires.timestamp())}
    assert oidc.remember_until(claims) == expires + ALLOWED_CLOCK_SKEW
