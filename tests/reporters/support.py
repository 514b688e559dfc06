"""Helpers of the reporters' tests: a reporter made through the service, signed in on the
form's pages as a person would (the link from the SMS, one tap), and the form's fields."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from app.api.admin import AdminScope
from app.auth.municipalities import EVERY_MUNICIPALITY
from app.overdose.enums import ReporterType
from app.reporters import service
from app.reporters.schemas import ReporterIn, ReporterOut
from app.state import AppState
from tests.staff_auth import browser_client, csrf_of

REPORTER_LINK = re.compile(r"https?://\S+/skjema/s/[A-Za-z0-9]{16}")
INCIDENT = re.compile(r'name="incident" value="([0-9a-f-]+)"')
OPENED_AT = re.compile(r'name="opened_at" value="([^"]+)"')


async def add_reporter(
    state: AppState,
    *,
    name: str = "Kari Ambulanse",
    mobile: str | None = "+4799000001",
    municipalities: tuple[str, ...] = ("3107",),
    **fields: Any,
) -> ReporterOut:
    body = ReporterIn(
        name=name,
        mobile=mobile,
        reporter_type=fields.pop("reporter_type", ReporterType.AMBULANCE),
        unit=fields.pop("unit", "Ambulanse Fredrikstad 2"),
        municipalities=list(municipalities),
        **fields,
    )
    async with state.sessions() as session, session.begin():
        return await service.create(
            AdminScope(session, EVERY_MUNICIPALITY, state.clock.now()), body
        )


async def signin_links(state: AppState, mobile: str) -> list[str]:
    """The paths of the sign-in links texted to `mobile`, oldest first."""
    async with state.engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT body FROM outbox_message WHERE subject_kind = 'reporter_signin' "
                "AND to_number = :to ORDER BY created_at, id"
            ),
            {"to": mobile},
        )
        bodies = [row[0] for row in rows]
    return [urlsplit(m.group(0)).path for b in bodies if (m := REPORTER_LINK.search(b))]


async def sign_in(app: FastAPI, state: AppState, mobile: str = "+4799000001") -> httpx.AsyncClient:
    """A browser signed in as the reporter with `mobile` (ask, open the link, tap)."""
    browser = browser_client(app)
    page = await browser.get("/skjema/s/logg-inn")
    assert page.status_code == 200, page.text
    asked = await browser.post(
        "/skjema/s/logg-inn", data={"csrf": csrf_of(page.text), "mobile": mobile}
    )
    assert asked.status_code == 303, asked.text
    [path] = (await signin_links(state, mobile))[-1:]
    confirm = await browser.get(path)
    assert confirm.status_code == 200, confirm.text
    done = await browser.post(path, data={"csrf": csrf_of(confirm.text)})
    assert done.status_code == 303 and done.headers["location"] == "/skjema/", done.text
    return browser


async def open_form(browser: httpx.AsyncClient) -> dict[str, str]:
    """The form's hidden fields as it was opened."""
    page = await browser.get("/skjema/")
    assert page.status_code == 200, page.text
    incident, opened_at = INCIDENT.search(page.text), OPENED_AT.search(page.text)
    assert incident and opened_at
    return {
        "csrf": csrf_of(page.text),
        "incident": incident.group(1),
        "opened_at": opened_at.group(1),
    }


def filled(hidden: dict[str, str], **values: str) -> dict[str, str]:
    """A form as a crew fills it: survived, declined transport, could not be asked."""
    return {
        **hidden,
        "municipality": "3107",
        "kind": "non_fatal",
        "outcome": "declined_transport",
        "destination": "home_alone",
        "consent": "could_not_ask",
        **values,
    }
