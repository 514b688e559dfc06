"""A new alert wakes the worker at once; without the wake-up it waits for the next poll."""

from __future__ import annotations

import asyncio

import pytest

from app.config import Settings
from app.config.sections import WorkerSettings
from devtools.fake_twilio import FakeTwilio
from tests.factories import Factory, alert_body

POLL_SECONDS = 60.0  # far longer than the test: any SMS must come from the wake-up


@pytest.fixture(params=[True, False], ids=["wake", "no-wake"])
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    worker = WorkerSettings(
        run_in_app=True, wake_enabled=request.param, poll_interval_seconds=POLL_SECONDS
    )
    return settings.model_copy(update={"worker": worker})


async def test_new_alert_wakes_the_worker(
    settings: Settings, factory: Factory, fake_twilio: FakeTwilio
) -> None:
    await factory.team()
    amk = await factory.api_client()
    await asyncio.sleep(0.2)  # the worker's first round has run and it sleeps on its poll
    await factory.post_alert(amk, alert_body())
    for _ in range(100):
        if fake_twilio.messages():
            break
        await asyncio.sleep(0.02)
    sent = len(fake_twilio.messages())
    assert sent == (1 if settings.worker.wake_enabled else 0)
