"""The API restarted between an alert and its acknowledgement: the link in the SMS still works,
and so does the page the member opened before the restart (its form's token is an HMAC under
a key derived from `AUTH__JWT_SECRET`, not from anything a process makes for itself); a
sign-in link asked for on one instance is used on another that runs beside it.

tests/test_restart.py shows that a restarted service pages again; tests/sms/
test_worker_processes.py that two worker processes send every SMS once and survive a SIGKILL.
This is the member's side: links and pages across instances of the API on one database.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from fastapi import FastAPI

from app.clock import FakeClock
from app.config import Settings
from app.main import create_app
from app.notify.console_sender import ConsoleSender
from app.state import AppState
from tests.factories import Factory
from tests.scenario import Scenario, page_members, page_on_duty
from tests.staff_auth import browser_client, csrf_of

LINK = re.compile(r"https?://\S+(/a/(?:s/)?[A-Za-z0-9]{12,16})\b")


@asynccontextmanager
async def instance(settings: Settings, clock: FakeClock) -> AsyncIterator[FastAPI]:
    """One API process's app, with its lifespan (engine, sender, keys), on the database."""
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        yield app


def state_of(app: FastAPI) -> AppState:
    state: AppState = app.state.odvarsel
    return state


def links_to(app: FastAPI, mobile: str) -> list[str]:
    """The paths of the links this instance's worker texted to `mobile`, oldest first."""
    sender = state_of(app).sender
    assert isinstance(sender, ConsoleSender)
    return [m.group(1) for s in sender.outbox if s.to == mobile for m in LINK.finditer(s.body)]


def moved(browser: httpx.AsyncClient, app: FastAPI) -> httpx.AsyncClient:
    """The same browser (its cookies) talking to another instance."""
    again = browser_client(app)
    again.cookies.update(browser.cookies)
    return again


async def test_a_page_opened_before_a_restart_takes_the_alert_after_it(
    settings: Settings, clock: FakeClock
) -> None:
    async with instance(settings, clock) as first:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=first), base_url="http://t"
        ) as http:
            desk = Scenario(
                factory=Factory(state=state_of(first), http=http, clock=clock),
                state=state_of(first),
                clock=clock,
                http=http,
            )
            team = await desk.team()
            await desk.policy(page_on_duty(), page_members(team.member_ids[1]))
            alert_id = await desk.alert()
            amk = await desk.client()
            await desk.settle()
        [link] = links_to(first, desk.mobile(0))
        browser = browser_client(first)
        page = await browser.get(link)
        assert page.status_code == 200 and "Ta varselet" in page.text
    # The process is gone (its engine disposed, its memory lost); a new one starts.
    clock.advance(timedelta(minutes=2))
    async with instance(settings, clock) as second:
        async with moved(browser, second) as ada:
            taken = await ada.post(f"{link}/take", data={"csrf": csrf_of(page.text)})
            assert taken.status_code == 303, taken.text
            shown = await ada.get(link)
            assert "Ola Nordmann" in shown.text, "the taker's cookie of the new instance"
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=second), base_url="http://t"
        ) as http:
            status = await http.get(f"/v1/alerts/{alert_id}", headers=amk.headers)
        assert status.json()["acknowledged_by"]["name"] == "Ada Lund"
        clock.advance(timedelta(minutes=10))
        await state_of(second).worker.run_until_idle()
        assert links_to(second, desk.mobile(1)) == [], "taken: the escalation stopped"
        async with browser_client(second) as elsewhere:  # the link itself, fresh
            assert "Du tok varselet" in (await elsewhere.get(link)).text


async def test_a_sign_in_link_asked_for_on_one_instance_works_on_another_beside_it(
    settings: Settings, clock: FakeClock
) -> None:
    async with instance(settings, clock) as first, instance(settings, clock) as second:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=first), base_url="http://t"
        ) as http:
            team = await Factory(state=state_of(first), http=http, clock=clock).team()
        mobile = team.mobiles[team.member_ids[1]]
        async with browser_client(first) as bo:
            form = await bo.get("/a/s/signin")
            asked = await bo.post(
                "/a/s/signin", data={"csrf": csrf_of(form.text), "mobile": mobile}
            )
            assert asked.status_code == 303
            await state_of(first).worker.run_until_idle()
            [link] = links_to(first, mobile)
            page = await bo.get(link)
            async with moved(bo, second) as there:
                signed_in = await there.post(link, data={"csrf": csrf_of(page.text)})
                assert signed_in.status_code == 303, signed_in.text
                assert (await there.get("/a/s/me")).status_code == 200
                async with moved(there, first) as back:  # the session, on the first
                    me = await back.get("/a/s/me")
                    assert me.status_code == 200 and "Bo Dahl" in me.text
