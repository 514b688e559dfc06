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
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from tests.factories import TeamSetup
from tests.scenario import Scenario, page_members, page_on_duty
from tests.sms.conftest import app, app_port, fake_twilio, scenario, settings

__all__ = ["app", "app_port", "fake_twilio", "scenario", "settings"]

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


async def paging_team(desk: Scenario, *, leader: bool = False) -> TeamSetup:
    """The team of one alert's scenario: its policy pages the one on duty, then member 1,
    five minutes each."""
    team = await desk.team(leader=leader)
    await desk.policy(page_on_duty(), page_members(team.member_ids[1]))
    return team


def link_of(desk: Scenario, index: int) -> str:
    """The path of the newest staff link texted to member `index`."""
    bodies = [b for b in desk.sms_to(index) if LINK.search(b)]
    assert bodies, f"member {index} got no link"
    return link_in(bodies[-1])


async def supplement(desk: Scenario, alert_id: uuid.UUID, **body: Any) -> None:
    """What the crew learned later, sent as the dispatcher would; then the worker runs."""
    response = await desk.request("POST", f"/v1/alerts/{alert_id}/supplements", json=body)
    assert response.status_code == 201, response.text
    await desk.settle()


async def access_log(desk: Scenario) -> list[tuple[Any, ...]]:
    """Who saw what, on which basis: (actor_id, categories, legal_basis), oldest first."""
    async with desk.state.engine.connect() as connection:
        result = await connection.execute(
            text("SELECT actor_id, categories, legal_basis FROM access_log_entry ORDER BY at")
        )
        return [
            (actor, sorted(json.loads(c) if isinstance(c, str) else c), basis)
            for actor, c, basis in result
        ]


async def access_log_count(desk: Scenario) -> int:
    async with desk.state.engine.connect() as connection:
        result = await connection.execute(text("SELECT count(*) FROM access_log_entry"))
        return int(result.scalar_one())


@pytest.fixture
def desk(scenario: Scenario) -> Scenario:
    """One alert's scenario: the fake Twilio, the worker driven round by round."""
    return scenario


@pytest.fixture
async def staff(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with browser_client(app) as client:
        yield client


@pytest.fixture
async def colleague(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with browser_client(app) as client:
        yield client
