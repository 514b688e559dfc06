"""Link pages and SMS replies: the service on loopback with the fake Twilio (the SMS
scenarios' fixtures), and a browser-like client for the pages.

The pages' cookies are Secure, so `staff` talks to the app over an https ASGI client (httpx
keeps Secure cookies for https only); the SMS, their links and Twilio's callbacks go over
real HTTP as in the scenarios.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from app.clock import FakeClock
from app.escalation.policy.rules import Policy, Step, StepTarget, TargetKind
from app.state import AppState
from devtools.fake_twilio import FakeTwilio
from tests.factories import ApiCredentials, Factory, TeamSetup, alert_body
from tests.sms.conftest import app, app_port, fake_twilio, settings

__all__ = ["app", "app_port", "fake_twilio", "settings"]

LINK = re.compile(r"https?://\S+/a/[A-Za-z0-9]{12}")
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def link_in(body: str) -> str:
    match = LINK.search(body)
    assert match, "no staff link in the SMS"
    return urlsplit(match.group(0)).path


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF field in the page"
    return match.group(1)


async def take(client: httpx.AsyncClient, link: str) -> httpx.Response:
    """Open the link and tap the button, as a person would."""
    page = await client.get(link)
    return await client.post(f"{link}/take", data={"csrf": csrf_of(page.text)})


def browser_client(app: FastAPI) -> httpx.AsyncClient:
    """A client that keeps cookies like a browser on https (Secure ones included)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("198.51.100.7", 40000)),
        base_url="https://odvarsel.test",
    )


@dataclass
class Desk:
    """One alert's world: the team (two steps: on duty, then member 1), the dispatcher's
    client, the fake Twilio and the worker, driven round by round."""

    factory: Factory
    state: AppState
    fake: FakeTwilio
    clock: FakeClock
    app: FastAPI
    team: TeamSetup | None = None
    amk: ApiCredentials | None = None

    async def setup(self, *, leader: bool = False) -> TeamSetup:
        self.team = await self.factory.team(leader=leader)
        second = str(self.team.member_ids[1])
        await self.factory.set_policy(
            self.team.team_id,
            Policy(
                steps=(
                    Step(targets=(StepTarget(TargetKind.ON_DUTY),), delay_minutes=5),
                    Step(targets=(StepTarget(TargetKind.MEMBERS, (second,)),), delay_minutes=5),
                ),
                repeat=0,
            ),
        )
        self.amk = await self.factory.api_client()
        return self.team

    async def post_alert(self, **overrides: Any) -> uuid.UUID:
        assert self.amk is not None
        return uuid.UUID(await self.factory.post_alert(self.amk, alert_body(**overrides)))

    async def settle(self) -> None:
        for _ in range(5):
            await self.state.worker.run_until_idle()
            await self.fake.wait_for_callbacks()

    async def advance(self, minutes: float) -> None:
        self.clock.advance(timedelta(minutes=minutes))
        await self.settle()

    def mobile(self, index: int) -> str:
        assert self.team is not None
        return self.team.mobiles[self.team.member_ids[index]]

    def texts_to(self, index: int) -> list[str]:
        return [m.body for m in self.fake.messages() if m.to == self.mobile(index)]

    def link_of(self, index: int) -> str:
        """The path of the newest staff link texted to member `index`."""
        bodies = [b for b in self.texts_to(index) if LINK.search(b)]
        assert bodies, f"member {index} got no link"
        return link_in(bodies[-1])

    async def status(self, alert_id: uuid.UUID, http: httpx.AsyncClient) -> dict[str, Any]:
        assert self.amk is not None
        self.amk.token = await self.factory.token(self.amk)  # the clock may have moved on
        response = await http.get(f"/v1/alerts/{alert_id}", headers=self.amk.headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def access_log_count(self) -> int:
        async with self.state.engine.connect() as connection:
            result = await connection.execute(text("SELECT count(*) FROM access_log_entry"))
            return int(result.scalar_one())


@pytest.fixture
def desk(
    factory: Factory, state: AppState, fake_twilio: FakeTwilio, clock: FakeClock, app: FastAPI
) -> Desk:
    return Desk(factory, state, fake_twilio, clock, app)


@pytest.fixture
async def staff(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with browser_client(app) as client:
        yield client


@pytest.fixture
async def colleague(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with browser_client(app) as client:
        yield client
