"""Reporters sign in with OIDC as staff do (`STAFF__MODE=oidc`): the provider's ID token,
verified against its key set, matched on the same claim, used once; the form then opens.
A reporter the token does not name, a forged token and a second use are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import FastAPI

from app.clock import FakeClock
from app.config import Settings
from app.config.sections import StaffAuthSettings
from app.state import AppState
from tests.databases import settings_for
from tests.factories import Factory
from tests.reporters.support import add_reporter
from tests.staff_auth import (
    AUDIENCE,
    ISSUER,
    Provider,
    SigningKey,
    browser_client,
    csrf_of,
    key_set,
    unsigned_token,
)

MOBILE = "+4799000001"


@pytest.fixture(scope="module")
def provider_key() -> SigningKey:
    return SigningKey.rsa("k1")


@pytest.fixture
def settings(database_url: str, tmp_path: Path, provider_key: SigningKey) -> Settings:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(key_set(provider_key)))
    staff = StaffAuthSettings(
        mode="oidc", oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks_file=path
    )
    return settings_for(database_url, tmp_path).model_copy(update={"staff": staff})


async def test_a_reporter_signs_in_with_the_providers_token_once(
    app: FastAPI, state: AppState, factory: Factory, clock: FakeClock, provider_key: SigningKey
) -> None:
    await factory.municipalities()
    await add_reporter(state, mobile=MOBILE)
    provider = Provider(key=provider_key, now=clock.now())
    browser = browser_client(app)
    page = await browser.get("/skjema/s/logg-inn")
    assert "kommunens innlogging" in page.text
    csrf = csrf_of(page.text)

    token = provider.token(phone_number=MOBILE)
    signed_in = await browser.post("/skjema/s/oidc", data={"csrf": csrf, "id_token": token})
    assert signed_in.status_code == 303, signed_in.text
    assert (await browser.get("/skjema/")).status_code == 200

    other = browser_client(app)
    csrf = csrf_of((await other.get("/skjema/s/logg-inn")).text)
    refused = [
        token,  # used once already
        provider.token(phone_number="+4799000099"),  # no such reporter
        unsigned_token(provider.claims(phone_number=MOBILE)),  # alg none
        SigningKey.rsa("k1").sign(provider.claims(phone_number=MOBILE)),  # a forger's key
    ]
    for bad in refused:
        answer = await other.post("/skjema/s/oidc", data={"csrf": csrf, "id_token": bad})
        assert answer.status_code == 403
    assert (await other.get("/skjema/")).status_code == 303
    no_csrf = await other.post("/skjema/s/oidc", data={"csrf": "x", "id_token": token})
    assert no_csrf.status_code == 403
    sms = await other.post("/skjema/s/logg-inn", data={"csrf": csrf, "mobile": MOBILE})
    assert sms.status_code == 403, "no SMS links in OIDC mode"
