"""Links opened by scanners: every link the service texts, opened by mail and SMS link scanners
and previewers (GET, HEAD, OPTIONS; bot user agents; with and without a cookie jar; many
times; before and after use and expiry) changes nothing in the database, and the person can
still use it afterwards. Only a POST with the page's CSRF token (the confirm button) changes
anything (README, "Taking an alert" and "Staff sign in"; docs/rules.md on links).

The links are not written here: they are read from the SMS that one real scenario sent
through the fake Twilio (a page to the one on duty and the next step, a follow-up reminder
with its case link, a staff and a reporter sign-in link), so a new kind of link in a text is
scanned too, and a kind that stops being sent fails `test_every_kind_of_link_is_sent`.
No email is sent by the service (warnings for email recipients are marked
`to_be_sent_by_email` for the municipality to send), and warning SMS carry no link.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from app.state import AppState
from app.tables import metadata
from tests.followup.test_followup_cases import BO, alert, take
from tests.reporters.support import add_reporter
from tests.scenario import Scenario, page_members, page_on_duty
from tests.sms.conftest import app, app_port, fake_twilio, scenario, settings
from tests.sms.test_followup_scenario import OVERDOSE, REACH_REMINDER
from tests.staff_auth import browser_client, csrf_of

__all__ = ["app", "app_port", "fake_twilio", "scenario", "settings"]

REPORTER_MOBILE = "+4799000001"
SCANNERS = (
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)",
    "WhatsApp/2.23.20.0 A",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko)"
    " Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",
)
METHODS = ("GET", "HEAD", "OPTIONS")
KINDS = {
    "alert page": re.compile(r"/a/[A-Za-z0-9]{12}"),
    "staff sign-in": re.compile(r"/a/s/[A-Za-z0-9]{16}"),
    "reporter sign-in": re.compile(r"/skjema/s/[A-Za-z0-9]{16}"),
    "case": re.compile(r"/a/cases/[0-9a-f-]{36}"),
}


class _Targets(HTMLParser):
    """What a page leads to: links and sources (GET) and forms' actions (POST)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and values.get("action"):
            self.forms.append(str(values["action"]))
        for name in ("href", "src", "action"):
            value = values.get(name)
            if value and not value.startswith(("tel:", "mailto:", "#")):
                self.links.append(value)


def targets(html: str) -> _Targets:
    parser = _Targets()
    parser.feed(html)
    return parser


def sent_links(desk: Scenario) -> list[str]:
    """Every link to the service in the SMS sent so far (full URLs as texted), oldest first."""
    base = desk.state.settings.http.public_base_url.rstrip("/")
    found = (re.findall(r"https?://\S+", body) for _, body in desk.sms())
    links = [link.rstrip(".,;:") for links in found for link in links]
    assert all(link.startswith(base) for link in links), "a link to someone else in an SMS"
    return list(dict.fromkeys(links))


def kind_of(url: str) -> str:
    path = urlsplit(url).path
    kinds = [name for name, pattern in KINDS.items() if pattern.fullmatch(path)]
    assert len(kinds) == 1, f"a link of no known kind: {path}"
    return kinds[0]


async def snapshot(state: AppState) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, as text, sorted: what a scanner must leave as it was."""
    rows: dict[str, list[tuple[str, ...]]] = {}
    async with state.engine.connect() as connection:
        for table in metadata.sorted_tables:
            result = await connection.execute(table.select())
            rows[table.name] = sorted(tuple(map(str, row)) for row in result)
    return rows


def differences(
    before: dict[str, list[tuple[str, ...]]], after: dict[str, list[tuple[str, ...]]]
) -> dict[str, Any]:
    return {
        name: {
            "gone": [r for r in before[name] if r not in after[name]],
            "new": [r for r in after[name] if r not in before[name]],
        }
        for name in before
        if before[name] != after[name]
    }


class Scanners:
    """Link scanners and previewers: each user agent over real HTTP without cookies (the URL
    as texted), and over https keeping a cookie jar and following every link and form action
    of the pages (GET and HEAD, never a POST). They record every form action they saw."""

    def __init__(self, app: FastAPI, agents: tuple[str, ...] = SCANNERS) -> None:
        self.app = app
        self.agents = agents
        self.forms: set[str] = set()
        self.requests = 0
        self.statuses: set[int] = set()

    async def open(self, client: httpx.AsyncClient, method: str, url: str) -> httpx.Response:
        response = await client.request(method, url, follow_redirects=method == "GET")
        self.requests += 1
        self.statuses.add(response.status_code)
        assert response.status_code < 500, (method, url, response.status_code)
        if response.status_code == 405:  # OPTIONS, or GET on a form's action
            assert response.headers.get("allow"), f"405 without Allow (RFC 9110): {method} {url}"
        return response

    async def without_cookies(self, url: str, agent: str) -> None:
        for method in METHODS:
            for _ in range(2):  # the scanner, then the preview
                async with httpx.AsyncClient(headers={"User-Agent": agent}) as client:
                    await self.open(client, method, url)

    async def with_cookies(self, url: str, agent: str) -> None:
        async with browser_client(self.app, address="192.0.2.44") as client:
            client.headers["User-Agent"] = agent
            seen: set[str] = set()
            queue = [urlsplit(url).path]
            while queue:
                path = queue.pop()
                if path in seen or not path.startswith("/"):
                    continue
                seen.add(path)
                for method in ("OPTIONS", "HEAD", "GET"):  # GET last: its page is read
                    response = await self.open(client, method, path)
                if "html" in response.headers.get("content-type", ""):
                    found = targets(response.text)
                    base = str(response.url)
                    self.forms |= {urlsplit(urljoin(base, f)).path for f in found.forms}
                    queue += [urlsplit(urljoin(base, u)).path for u in found.links]
                    queue.append(urlsplit(base).path)  # where a redirect led
            await self.open(client, "GET", urlsplit(url).path)  # again, with the cookies

    async def scan(self, urls: list[str]) -> None:
        """Every agent without cookies; one agent each (in turn) keeping cookies and
        following the pages (the crawl is what costs, and the agent changes nothing there)."""
        for i, url in enumerate(urls):
            for agent in self.agents:
                await self.without_cookies(url, agent)
            await self.with_cookies(url, self.agents[i % len(self.agents)])


async def scanned_changes_nothing(
    desk: Scenario, app: FastAPI, urls: list[str], agents: tuple[str, ...] = SCANNERS
) -> Scanners:
    """Scan `urls`; assert the database is as it was and the worker finds nothing to do."""
    await desk.settle()
    before = await snapshot(desk.state)
    sent = len(desk.sms())
    scanners = Scanners(app, agents)
    await scanners.scan(urls)
    assert await desk.settle() == 0, "a scan left work for the worker"
    assert differences(before, await snapshot(desk.state)) == {}
    assert len(desk.sms()) == sent
    return scanners


async def request_signin_links(desk: Scenario, app: FastAPI) -> None:
    """Bo asks for a staff sign-in link, the ambulance's reporter for one to the form, on
    the pages as a person would; the worker texts them."""
    await add_reporter(desk.state, mobile=REPORTER_MOBILE)
    for form, mobile in (("/a/s/signin", desk.mobile(BO)), ("/skjema/s/logg-inn", REPORTER_MOBILE)):
        async with browser_client(app) as browser:
            page = await browser.get(form)
            asked = await browser.post(form, data={"csrf": csrf_of(page.text), "mobile": mobile})
            assert asked.status_code == 303, asked.text
    await desk.settle()


@pytest.fixture
async def desk(scenario: Scenario, app: FastAPI) -> AsyncIterator[Scenario]:
    """Ada leads and is on duty, then Bo is paged. An alert of yesterday that Bo took (its
    case's reminder texts him the case link); an alert now, paged to Ada; sign-in links."""
    scenario.clock.set(OVERDOSE + timedelta(minutes=20))
    team = await scenario.team()
    await scenario.policy(page_on_duty(), page_members(team.member_ids[BO]))
    await take(scenario, await alert(scenario))
    await scenario.fast_forward_to(REACH_REMINDER)  # the reminder with the case link
    await alert(scenario)
    await scenario.settle()  # Ada is paged
    await request_signin_links(scenario, app)
    yield scenario


def newest(desk: Scenario, kind: str, to: int | None = None) -> str:
    """The path of the newest link of `kind` texted (to member `to` of the team, if given)."""
    bodies = [body for number, body in desk.sms() if to is None or number == desk.mobile(to)]
    urls = [url.rstrip(".,;:") for body in bodies for url in re.findall(r"https?://\S+", body)]
    return str(urlsplit([url for url in urls if kind_of(url) == kind][-1]).path)


async def test_every_kind_of_link_is_sent(desk: Scenario) -> None:
    kinds = {kind_of(url) for url in sent_links(desk)}
    assert kinds == set(KINDS), "the scenario no longer texts every kind of link"


async def test_scanners_change_nothing_and_the_person_can_still_use_every_link(
    desk: Scenario, app: FastAPI
) -> None:
    links = sent_links(desk)
    scanners = await scanned_changes_nothing(desk, app, links)
    assert scanners.requests >= len(links) * (len(SCANNERS) * 6 + 3)
    alert_id = desk.alerts[-1]
    status = await desk.alert_status(alert_id)
    assert status["status"] == "notified" and status["acknowledged_by"] is None

    await desk.fast_forward(timedelta(minutes=5))
    assert len(desk.sms_to(BO)) == 3, "not taken: the escalation went on to Bo"
    assert newest(desk, "alert page", to=BO) not in links

    # Then the people: each link works once, after all that.
    async with browser_client(app) as ada:
        link = newest(desk, "alert page", to=0)
        page = await ada.get(link)
        taken = await ada.post(f"{link}/take", data={"csrf": csrf_of(page.text)})
        assert taken.status_code == 303
    status = await desk.alert_status(alert_id)
    assert status["acknowledged_by"]["name"] == "Ada Lund"

    async with browser_client(app) as bo:
        link = newest(desk, "staff sign-in")
        page = await bo.get(link)
        signed_in = await bo.post(link, data={"csrf": csrf_of(page.text)})
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/a/cases"
        before = await snapshot(desk.state)
        for method in ("HEAD", "OPTIONS", "GET") * 2:  # his own browser, signed in
            case = await bo.request(method, newest(desk, "case"))
        assert case.status_code == 200 and "Bo Dahl" in case.text
        assert differences(before, await snapshot(desk.state)) == {}, "the case GET reads nothing"

    async with browser_client(app) as reporter:
        link = newest(desk, "reporter sign-in")
        page = await reporter.get(link)
        signed_in = await reporter.post(link, data={"csrf": csrf_of(page.text)})
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/skjema/"


async def test_used_taken_and_expired_links_opened_by_scanners_change_nothing(
    desk: Scenario, app: FastAPI
) -> None:
    async with browser_client(app) as ada:  # taken and shown: the taker's page logs a view
        link = newest(desk, "alert page", to=0)
        page = await ada.get(link)
        assert (await ada.post(f"{link}/take", data={"csrf": csrf_of(page.text)})).is_redirect
        assert "Ola Nordmann" in (await ada.get(link)).text
        before = await snapshot(desk.state)  # her own browser's prefetch: HEAD, OPTIONS
        for method in ("HEAD", "OPTIONS") * 3:
            await ada.request(method, link)
        assert differences(before, await snapshot(desk.state)) == {}, "no view was logged"
    for kind in ("staff sign-in", "reporter sign-in"):
        async with browser_client(app) as person:
            link = newest(desk, kind)
            page = await person.get(link)
            assert (await person.post(link, data={"csrf": csrf_of(page.text)})).is_redirect

    await scanned_changes_nothing(desk, app, sent_links(desk), SCANNERS[::2])
    desk.advance(timedelta(hours=desk.state.settings.links.expiry_hours, minutes=1))
    expired = await scanned_changes_nothing(desk, app, sent_links(desk), SCANNERS[1::2])
    assert 410 in expired.statuses


async def forms_of(browser: httpx.AsyncClient, *paths: str) -> set[str]:
    """The actions of the forms on the pages at `paths`, as this browser is shown them."""
    forms: set[str] = set()
    for path in paths:
        page = await browser.get(path)
        assert page.status_code == 200, (path, page.status_code)
        forms |= {urlsplit(urljoin(str(page.url), f)).path for f in targets(page.text).forms}
    return forms


async def use_every_link(desk: Scenario, people: list[httpx.AsyncClient]) -> set[str]:
    """Ada takes the alert by her link, Bo and the reporter sign in by theirs (one browser
    each, as `people`); the actions of every form they are then shown."""
    forms: set[str] = set()
    ada, bo, reporter = people
    for person, kind, lands in (
        (ada, "alert page", ""),
        (bo, "staff sign-in", "/a/cases"),
        (reporter, "reporter sign-in", "/skjema/"),
    ):
        link = newest(desk, kind, to=0 if kind == "alert page" else None)
        page = await person.get(link)
        forms |= {urlsplit(f).path for f in targets(page.text).forms}
        action = f"{link}/take" if kind == "alert page" else link
        assert (await person.post(action, data={"csrf": csrf_of(page.text)})).is_redirect
        forms |= await forms_of(person, lands or link)
    forms |= await forms_of(bo, newest(desk, "case"), "/a/s/me", "/a/s/signin")
    return forms | await forms_of(reporter, "/skjema/s/logg-inn")


async def test_every_form_refuses_a_post_without_the_pages_token(
    desk: Scenario, app: FastAPI
) -> None:
    """Every state change is a form's POST, and a POST without the token of the browser's
    own page (a scanner copying a form, a page of another browser) changes nothing, whether
    the browser is signed in or not: whichever form it is."""
    async with AsyncExitStack() as stack:
        people = [await stack.enter_async_context(browser_client(app)) for _ in range(3)]
        forms = await use_every_link(desk, people)
        scanners = Scanners(app)
        for url in sent_links(desk):
            await scanners.with_cookies(url, SCANNERS[0])
        forms |= scanners.forms
        assert {f.rsplit("/", 1)[-1] for f in forms} >= {
            *("take", "answer", "show", "details", "signout", "logg-ut"),
            *("signin", "logg-inn", ""),
        }, forms
        other = await stack.enter_async_context(browser_client(app))
        foreign = csrf_of((await other.get(newest(desk, "alert page"))).text)
        scanner = await stack.enter_async_context(browser_client(app, address="192.0.2.44"))
        for url in sent_links(desk):
            await scanner.get(urlsplit(url).path)  # the nonce cookies of every page

        await desk.settle()
        before = await snapshot(desk.state)
        for browser in (scanner, *people):
            for action in sorted(forms):
                for data in ({}, {"csrf": foreign}, {"csrf": foreign, "mobile": desk.mobile(BO)}):
                    refused = await browser.post(action, data=data)
                    assert refused.status_code in (303, 403, 404, 405, 410, 422), (
                        action,
                        refused.status_code,
                        refused.headers.get("location"),
                    )
    assert await desk.settle() == 0
    assert differences(before, await snapshot(desk.state)) == {}


async def test_options_on_a_link_names_every_method_it_takes(desk: Scenario) -> None:
    """A scanner's OPTIONS gets 405 with the `Allow` RFC 9110 requires, naming every method
    of the path (Starlette's own names only the first route's: GET and HEAD, not the POST
    of a sign-in link), as the API's `MethodGate` answers for the API."""
    takes = {
        "alert page": "GET, HEAD",
        "staff sign-in": "GET, HEAD, POST",
        "reporter sign-in": "GET, HEAD, POST",
        "case": "GET, HEAD",
    }
    async with httpx.AsyncClient(headers={"User-Agent": SCANNERS[0]}) as scanner:
        for url in sent_links(desk):
            answer = await scanner.options(url)
            assert answer.status_code == 405, url
            assert answer.headers.get("allow") == takes[kind_of(url)], url
            taken = await scanner.get(f"{url}/take")
            if kind_of(url) == "alert page":
                assert (taken.status_code, taken.headers.get("allow")) == (405, "POST")
