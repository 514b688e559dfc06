"""Fixtures for SMS tests: the service wired to the fake Twilio over real HTTP, signed callbacks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from app.clock import FakeClock
from app.config import Settings
from app.config.sections import HttpSettings, SmsSettings
from app.main import create_app
from app.state import AppState
from devtools.fake_twilio import FakeTwilio
from devtools.loopback import free_port, serve_loopback
from tests.databases import settings_for
from tests.factories import Factory
from tests.scenario import Scenario

TWILIO_AUTH_TOKEN = "test-twilio-auth-token-0123456789"
TWILIO_ACCOUNT_SID = "AC" + "a" * 32


@pytest.fixture
async def fake_twilio(clock: FakeClock) -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio.running(auth_token=TWILIO_AUTH_TOKEN, clock=clock) as fake:
        yield fake


@pytest.fixture
def app_port() -> int:
    return free_port()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, fake_twilio: FakeTwilio, app_port: int) -> Settings:
    return settings_for(database_url, tmp_path).model_copy(
        update={
            "sms": SmsSettings(
                backend="twilio",
                twilio_base_url=fake_twilio.base_url,
                twilio_auth_token=TWILIO_AUTH_TOKEN,
                twilio_account_sid=TWILIO_ACCOUNT_SID,
            ),
            "http": HttpSettings(public_base_url=f"http://127.0.0.1:{app_port}"),
        }
    )


@pytest.fixture
async def app(settings: Settings, clock: FakeClock, app_port: int) -> AsyncIterator[FastAPI]:
    """The app served on loopback (uvicorn runs its lifespan), so Twilio can call it back."""
    application = create_app(settings, clock=clock)
    async with serve_loopback(application, port=app_port):
        yield application


@pytest.fixture
def scenario(
    factory: Factory,
    state: AppState,
    clock: FakeClock,
    http: httpx.AsyncClient,
    fake_twilio: FakeTwilio,
) -> Scenario:
    """The scenario harness, its SMS sent through the fake Twilio."""
    return Scenario(factory=factory, state=state, clock=clock, http=http, twilio=fake_twilio)
