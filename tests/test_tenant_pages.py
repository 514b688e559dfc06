"""Tenant isolation on the pages, route by route, as tests/test_tenant_isolation.py does for the
API: Oslo's (B's) signed-in leader on the staff pages (/a) and Oslo's reporter on the crews'
form (/skjema), against Fredrikstad's (A's) cases, warnings, signals, reports and alerts.

Every page route of the app is in `PAGES` or in `GLOBAL` with a reason (a test fails
otherwise). A refusal is 403 or 404 (a form that names A: re-shown with its error, 422), as for
an id that does not exist; a page of B's own shows nothing of A; no table changes. Then A's
leader (A's reporter on the form) opens the same pages and is answered, so the requests are
valid and each refusal is the tenant check.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from tests.reporters.support import add_reporter, filled, open_form, sign_in
from tests.reporters.test_form_pages import alert_id_of
from tests.scenario import Scenario
from tests.staff_auth import browser_client, csrf_of
from tests.tenant_world import A, B, World, build, changed, snapshot
from tests.web.test_case_pages import signed_in

REFUSED, OWN = "refused", "own"
TEXT = "Flere overdoser i sentrum siste døgn. Ikke bruk alene, ha nalokson klar."
HEX = re.compile(r"[0-9a-fA-F-]{16,}")


@dataclass(frozen=True)
class Page:
    """One request on a page; `{name}` in the path, query and form is A's id of that name."""

    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None
    expect: str = REFUSED


PAGES: dict[str, tuple[Page, ...]] = {
    "GET /a/cases": (Page(expect=OWN),),
    "GET /a/cases/{case_id}": (Page(),),
    "POST /a/cases/{case_id}/details": (Page(form={}),),
    "POST /a/cases/{case_id}/steps/{step_key}": (Page(form={"action": "done"}),),
    "GET /a/concerns/new": (Page(expect=OWN),),
    "GET /a/concerns/{report_id}": (Page(),),
    "GET /a/warnings/new": (
        Page(query={"signal": "{signal_id}"}),
        Page(query={"report": "{report_id}"}),
    ),
    "POST /a/warnings": (
        Page(form={"signal_id": "{signal_id}", "text": TEXT, "valid_days": "3"}),
        Page(form={"report_id": "{report_id}", "text": TEXT, "valid_days": "3"}),
    ),
    "GET /a/warnings/{warning_id}/edit": (Page(),),
    "POST /a/warnings/{warning_id}/edit": (Page(form={"text": TEXT, "valid_days": "3"}),),
    "POST /a/warnings/{warning_id}/approve": (Page(form={"confirm": "yes"}),),
    "POST /a/warnings/{warning_id}/review": (Page(form={"note": "Gjennomgått"}),),
    "POST /a/signals/{signal_id}/dismiss": (Page(form={"note": "Ikke nødvendig"}),),
    "GET /a/statistics": (Page(expect=OWN), Page(query={"municipality": A}, expect=OWN)),
    "GET /a/statistics/csv": (Page(query={"period": "2026"}, expect=OWN),),
    "GET /a/statistics/report": (Page(query={"period": "2026"}, expect=OWN),),
    "GET /a/access-report": (Page(expect=OWN),),
    "POST /a/access-report": (
        Page(form={"national_id": "01010750160", "reason": "Innsyn, sak 2026/1"}, expect=OWN),
    ),
    "GET /a/s/me": (Page(expect=OWN),),
    "GET /skjema/": (Page(expect=OWN),),
    "POST /skjema/": (Page(form={"municipality": A}),),
    "GET /skjema/varsel/{alert_id}": (Page(),),
}
GLOBAL: dict[str, str] = {
    "GET /a/{token}": "a link page: its secret token names one member and one alert",
    "POST /a/{token}/take": "a link page: its secret token names one member and one alert",
    "POST /a/{token}/show": "a link page: its secret token names one member and one alert",
    "POST /a/{token}/answer": "a link page: its secret token names one member and one alert",
    "GET /a/s/signin": "sign-in by the visitor's own number",
    "POST /a/s/signin": "sign-in by the visitor's own number; answers the same always",
    "POST /a/s/signout": "ends the visitor's own session",
    "GET /a/s/{token}": "a sign-in link: its secret token names one member",
    "POST /a/s/{token}": "a sign-in link: its secret token names one member",
    "POST /a/concerns": "files for the member's own municipality; names none",
    "GET /skjema/s/logg-inn": "sign-in by the crew's own number",
    "POST /skjema/s/logg-inn": "sign-in by the crew's own number; answers the same always",
    "POST /skjema/s/logg-ut": "ends the crew's own session",
    "POST /skjema/s/oidc": "signs in the holder of an ID token; no municipality input",
    "GET /skjema/s/{token}": "a sign-in link: its secret token names one reporter",
    "POST /skjema/s/{token}": "a sign-in link: its secret token names one reporter",
}


def page_routes(app: FastAPI) -> set[str]:
    """`METHOD /mount/path` of every page route (HEAD, which mirrors GET, left out)."""
    found = set()
    for mount in app.routes:
        if isinstance(mount, Mount) and isinstance(mount.app, FastAPI):
            for context in iter_route_contexts(list(mount.app.router.routes)):
                for method in set(context.methods or ()) - {"HEAD"}:
                    found.add(f"{method} {mount.path}{context.path}")
    return found


async def test_every_page_route_is_checked_or_global_with_a_reason(app: FastAPI) -> None:
    routes = page_routes(app)
    assert "GET /a/cases/{case_id}" in routes
    assert sorted(routes - set(PAGES) - set(GLOBAL)) == [], "add it to PAGES or GLOBAL"
    assert sorted((set(PAGES) | set(GLOBAL)) - routes) == [], "no such page"


@dataclass
class Browsers:
    """Signed in: B's leader and reporter (the attackers), A's leader and reporter."""

    staff: dict[str, httpx.AsyncClient]
    crew: dict[str, httpx.AsyncClient]
    crew_alert: str
    """The alert A's reporter sent from the form (a crew sees only its own)."""

    def of(self, key: str, who: str) -> httpx.AsyncClient:
        return (self.crew if key.split(" ", 1)[1].startswith("/skjema") else self.staff)[who]

    def ids(self, key: str, ids: dict[str, str]) -> dict[str, str]:
        return ids | {"alert_id": self.crew_alert} if "/skjema/" in key else ids


@pytest.fixture
async def world(scenario: Scenario, app: FastAPI) -> World:
    return await build(scenario, app.openapi())


@pytest.fixture
async def browsers(world: World, app: FastAPI) -> Any:
    state, clock = world.scenario.state, world.scenario.clock
    await add_reporter(state, name="Ola Oslo", mobile="+4799000003", municipalities=(B,))
    staff = {
        "b": await signed_in(browser_client(app), state, clock, world.b_team, 0),
        "a": await signed_in(browser_client(app), state, clock, world.a_team, 0),
    }
    crew = {
        "b": await sign_in(app, state, "+4799000003"),
        "a": await sign_in(app, state, "+4791234999"),
    }
    sent = await crew["a"].post("/skjema/", data=filled(await open_form(crew["a"])))
    crew_alert, _ = alert_id_of(sent)
    world.secrets.add(str(crew_alert))
    yield Browsers(staff, crew, str(crew_alert))
    for browser in (*staff.values(), *crew.values()):
        await browser.aclose()


def _fill(value: str, ids: dict[str, str]) -> str:
    return value.format(**ids) if "{" in value else value


async def _request(
    browser: httpx.AsyncClient, key: str, page: Page, ids: dict[str, str]
) -> httpx.Response:
    method, path = key.split(" ", 1)
    query = {k: _fill(v, ids) for k, v in page.query.items()}
    if page.form is None:
        return await browser.request(method, _fill(path, ids), params=query)
    if path.startswith("/skjema"):
        form = filled(await open_form(browser))
    else:
        form = {"csrf": csrf_of((await browser.get("/a/s/me")).text)}
    form |= {k: _fill(v, ids) for k, v in page.form.items()}
    return await browser.request(method, _fill(path, ids), params=query, data=form)


def _leaks(world: World, response: httpx.Response) -> list[str]:
    text = HEX.sub("<hex>", response.text)  # tokens and B's ids might hold A's code's digits
    ids = {s for s in world.secrets if s in response.text and re.fullmatch(HEX, s)}
    return sorted(ids | {s for s in world.secrets | {A} if s in text})


async def test_another_municipalitys_staff_and_crew_get_nothing_of_a(
    world: World, browsers: Browsers
) -> None:
    state = world.scenario.state
    unknown = {k: str(uuid.uuid4()) for k in world.ids} | {"step_key": "reach"}
    problems = []
    for key, pages in PAGES.items():
        for page in pages:
            b = browsers.of(key, "b")
            before = await snapshot(state)
            response = await _request(b, key, page, browsers.ids(key, world.ids))
            where = f"{key} {page}: {response.status_code}"
            # B's access report logs that B's leader asked: a row of B's own.
            ignored = {"access_log_entry"} if page.expect == OWN else set()
            if touched := sorted(set(changed(before, await snapshot(state))) - ignored):
                problems.append(f"{where} changed {touched}")
            if leaks := _leaks(world, response):
                problems.append(f"{where} leaks {leaks}")
            if page.expect == OWN:
                if response.status_code != 200:
                    problems.append(f"{where}, not B's own page")
                continue
            missing = await _request(b, key, page, unknown)
            refused = response.status_code in (403, 404) or (
                key == "POST /skjema/" and response.status_code == 422
            )
            if not refused or response.status_code != missing.status_code:
                problems.append(f"{where}, unknown ids {missing.status_code}")
    assert problems == [], "\n".join(problems)

    failed = []
    for key, pages in PAGES.items():
        for page in pages:
            a = browsers.of(key, "a")
            response = await _request(a, key, page, browsers.ids(key, world.ids))
            if response.status_code not in (200, 303, 409):
                failed.append(f"A's own {key} {page}: {response.status_code} {response.text[:200]}")
    assert failed == [], "\n".join(failed)
