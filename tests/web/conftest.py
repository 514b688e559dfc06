"""Link pages and SMS replies: the service on loopback with the fake Twilio (the SMS
scenarios' fixtures), and a browser-like client for the pages.

The pages' cookies are Secure, so `staff` talks to the app over an https ASGI client (httpx
keeps Secure cookies for https only); the SMS, their links and Twilio's callbacks go over
real HTTP as in the scenarios.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
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


class _Details(HTMLParser):
    """The section headings and (label, value) pairs of the page's details card."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside <section id="details"> while > 0
        self.tag: str | None = None
        self.text = ""
        self.label: str | None = None
        self.headings: list[str] = []
        self.facts: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section" and ("id", "details") in attrs:
            self.depth = 1
        elif tag == "section" and self.depth:
            self.depth += 1
        elif self.depth and tag in ("dt", "dd", "h3"):
            self.tag, self.text = tag, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self.depth:
            self.depth -= 1
        elif self.depth and tag == self.tag:
            text = " ".join(self.text.split())
            if tag == "h3":
                self.headings.append(text)
            elif tag == "dt":
                self.label = text
            elif self.label is not None:
                assert self.label not in self.facts, f"{self.label!r} shown twice"
                self.facts[self.label] = text
            self.tag = None

    def handle_data(self, data: str) -> None:
        if self.tag is not None:
            self.text += data


def details_of(html: str) -> dict[str, str]:
    """The facts the details card shows, label -> value (the reporter's included)."""
    parser = _Details()
    parser.feed(html)
    return parser.facts


def headings_of(html: str) -> list[str]:
    """The details card's section headings, in order ("Varslet" included)."""
    parser = _Details()
    parser.feed(html)
    return parser.headings


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

    async def supplement(self, alert_id: uuid.UUID, http: httpx.AsyncClient, **body: Any) -> None:
        """What the crew learned later, sent as the dispatcher would."""
        assert self.amk is not None
        self.amk.token = await self.factory.token(self.amk)  # the clock may have moved on
        response = await http.post(
            f"/v1/alerts/{alert_id}/supplements", json=body, headers=self.amk.headers
        )
        assert response.status_code == 201, response.text
        await self.settle()

    async def access_log(self) -> list[tuple[Any, ...]]:
        """Who saw what, on which basis: (actor_id, categories, legal_basis), oldest first."""
        async with self.state.engine.connect() as connection:
            result = await connection.execute(
                text("SELECT actor_id, categories, legal_basis FROM access_log_entry ORDER BY at")
            )
            return [
                (actor, sorted(json.loads(c) if isinstance(c, str) else c), basis)
                for actor, c, basis in result
            ]

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
