"""Browser tests: the service served for real on 127.0.0.1, driven by Debian's Chromium.

The service runs as in the SMS scenarios (tests/sms/conftest.py, whose fixtures are reused
here): uvicorn in the test's event loop, the SMS going over real HTTP to the fake Twilio,
which posts signed delivery reports back, and the links in the SMS pointing at the live
server (`base_url`). The `clock` fixture drives the service; the test drives the worker
through the scenario harness (`await scenario.settle()`, tests/scenario.py). Chromium runs on
the real (or faketime's) clock: only the pages are rendered by it, the times on them come from
the service.

One Chromium serves the whole session (starting Playwright and Chromium takes 1.2-1.6 s, a
context 0.1 s), so the tests here, and the service each starts, run on the session's event
loop (`_function_scoped_runner` below); each test still gets its own database, service, fake
Twilio and browser context (a fresh profile).

Fixtures:

- `base_url`: where the service listens, `http://127.0.0.1:<port>` (also the SMS links' base).
- `browser`: the session's headless Chromium (/usr/bin/chromium); open pages in a new
  context of it (`await browser.new_context(...)`), as `page` does.
- `page`: a phone (390×844 CSS pixels, scale 2, touch, nb-NO, Europe/Oslo) in a fresh
  browser context whose `base_url` is the service, so `await page.goto("/a/...")` works.
  JavaScript is on; `@with_and_without_js` runs a test once with and once without it.
- `page_without_js`: the same phone with JavaScript off (the staff pages must work so).

Helpers: `await shoot(page, "name")` saves a full-page PNG to
test-artifacts/browser/<test name>/name.png; a test that fails with a page open also leaves
failure.png (and failure.html) there. `link_in(sms_body)` is the staff link in an SMS.

A scenario might read (the page's texts are the lead's to choose)::

    async def test_take_from_the_sms_link(scenario: Scenario, page: Page) -> None:
        team = await scenario.team()
        await scenario.alert()
        await scenario.settle()
        [sms] = scenario.sms_to(team.member_ids[0])
        await page.goto(link_in(sms))
        await shoot(page, "alert")
        await page.get_by_role("button", name="Ta").click()
        await expect(page.get_by_role("status")).to_contain_text("tatt")
        await shoot(page, "taken")

Every test here is marked `browser` (`pytest -m browser`, `-m "not browser"`).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from fastapi import FastAPI
from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    async_playwright,
)
from playwright.async_api import Error as PlaywrightError

# The service wired to the fake Twilio, exactly as the SMS scenarios have it: these fixtures
# (`settings` and `app` override tests/conftest.py's) serve the app on `app_port`.
from tests.sms.conftest import app, app_port, fake_twilio, scenario, settings

__all__ = [
    "CHROMIUM",
    "app",
    "app_port",
    "fake_twilio",
    "link_in",
    "scenario",
    "settings",
    "shoot",
    "with_and_without_js",
]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT: ViewportSize = {"width": 390, "height": 844}
ACTION_TIMEOUT_MS = 10_000
"""Playwright waits this long for a navigation or an element (its default is 30 s)."""

ARTIFACTS = Path("test-artifacts") / "browser"
_LINK = re.compile(r"https?://[^\s/]+/a/[A-Za-z0-9]+")
_CALL_FAILED = pytest.StashKey[bool]()
_current_artifacts: Path | None = None

with_and_without_js = pytest.mark.parametrize(
    "page",
    [pytest.param(True, id="js"), pytest.param(False, id="no-js")],
    indirect=True,
)
"""Runs a test twice: `page` with JavaScript on, then off."""


def link_in(sms_body: str) -> str:
    """The one staff link (`<public base URL>/a/<token>`) in an SMS text."""
    links = _LINK.findall(sms_body)
    # SMS texts carry no personal data (app/notify/texts.py), so the body may be shown.
    assert len(links) == 1, f"expected one /a/ link in the SMS, found {len(links)}: {sms_body!r}"
    link: str = links[0]
    return link


async def shoot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Saves a PNG of `page` (all of it, or what the screen shows) as
    test-artifacts/browser/<test name>/<name>.png; its path."""
    if _current_artifacts is None:
        raise RuntimeError("shoot() is for tests under tests/browser")
    if not re.fullmatch(r"[\w.-]+", name):
        raise ValueError(f"not a plain file name: {name!r}")
    await asyncio.to_thread(_current_artifacts.mkdir, parents=True, exist_ok=True)
    path = _current_artifacts / f"{name}.png"
    await page.screenshot(path=path, full_page=full_page)
    return path


def artifacts_of(item: pytest.Item) -> Path:
    """test-artifacts/browser/<test name> (under the rootdir) for `item`."""
    name = re.sub(r"[^\w.-]+", "-", item.name).strip("-")
    return item.config.rootpath / ARTIFACTS / name


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses the browser is a `browser` test (select with -m)."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Notes a failed test for the page fixtures, which save a screenshot as they close."""
    report = yield
    if report.when == "call" and report.failed and "browser" in getattr(item, "fixturenames", ()):
        item.stash[_CALL_FAILED] = True
        where = artifacts_of(item).relative_to(item.config.rootpath)
        report.sections.append(("browser", f"screenshot of the open page(s): {where}/failure*.png"))
    return report


@pytest.fixture(autouse=True)
def browser_artifacts(request: pytest.FixtureRequest) -> Iterator[Path]:
    """This test's artefact directory, emptied of an earlier run's files (made when used)."""
    global _current_artifacts
    directory = artifacts_of(request.node)
    shutil.rmtree(directory, ignore_errors=True)
    _current_artifacts = directory
    try:
        yield directory
    finally:
        _current_artifacts = None


@pytest.fixture
def base_url(app: FastAPI, app_port: int) -> str:
    """Where the live service listens; the SMS links point here too."""
    return f"http://127.0.0.1:{app_port}"


class _Chromium:
    """One Chromium for the session, launched on first use and again if it went away."""

    def __init__(self, playwright: Playwright) -> None:
        self.loop = asyncio.get_running_loop()
        self._playwright = playwright
        self._browser: Browser | None = None

    async def get(self) -> Browser:
        if self._browser is None or not self._browser.is_connected():
            self._browser = await self._launch()
        return self._browser

    async def _launch(self) -> Browser:
        if not os.access(CHROMIUM, os.X_OK):
            pytest.fail(
                f"Chromium is missing ({CHROMIUM}): the browser tests need it, "
                "install it with `apt-get install -y chromium` (.ci/run does so)",
                pytrace=False,
            )
        try:
            return await self._playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        except PlaywrightError as exc:
            pytest.fail(
                f"Chromium ({CHROMIUM}) did not start; is Debian's package installed "
                f"(`apt-get install -y chromium`)?\n{exc.message}",
                pytrace=False,
            )

    async def close(self) -> None:
        if self._browser is not None:
            await self._browser.close()


@pytest.fixture
def _function_scoped_runner(
    _session_scoped_runner: asyncio.Runner, _chromium: _Chromium
) -> Iterator[asyncio.Runner]:
    """Every test and async fixture under tests/browser runs on the session's event loop.

    Starting Playwright and Chromium takes 1.2-1.6 s, so the browser is kept for the session
    (`_chromium`); Playwright objects belong to the loop they were made on, so the tests and
    the service they drive must run on that loop too. pytest-asyncio picks a function-scoped
    fixture's or test's loop through this fixture (a name of its own, overridden here); if
    that ever stops working, the `browser` fixture fails with a message saying so.

    As when a test's own loop closes, tasks the test left running are cancelled after its
    fixtures are torn down, so nothing carries over into the next test.
    """
    runner = _session_scoped_runner
    loop = runner.get_loop()
    before = asyncio.all_tasks(loop)
    yield runner
    left = [task for task in asyncio.all_tasks(loop) - before if not _is_playwrights(task)]
    if left:
        for task in left:
            task.cancel()
        runner.run(_settle(left))


def _is_playwrights(task: asyncio.Task[object]) -> bool:
    code = getattr(task.get_coro(), "cr_code", None)
    return code is not None and f"{os.sep}playwright{os.sep}" in code.co_filename


async def _settle(tasks: list[asyncio.Task[object]]) -> None:
    await asyncio.gather(*tasks, return_exceptions=True)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def _chromium() -> AsyncIterator[_Chromium]:
    async with async_playwright() as playwright:
        chromium = _Chromium(playwright)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def browser(_chromium: _Chromium) -> Browser:
    """Debian's Chromium, headless; shared by the session, so open pages in a new context."""
    if asyncio.get_running_loop() is not _chromium.loop:
        pytest.fail(
            "the browser fixture ran on another event loop than the session's Chromium: "
            "tests/browser/conftest.py's `_function_scoped_runner` no longer takes effect "
            "(did pytest-asyncio change?)",
            pytrace=False,
        )
    return await _chromium.get()


async def _open_phone(browser: Browser, base_url: str, *, javascript: bool) -> BrowserContext:
    # A new context is a fresh profile: no cookies, cache or storage from another test.
    context = await browser.new_context(
        viewport=PHONE_VIEWPORT,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="nb-NO",
        timezone_id="Europe/Oslo",
        base_url=base_url,
        java_script_enabled=javascript,
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context


async def _close_phone(
    context: BrowserContext, request: pytest.FixtureRequest, failure_name: str
) -> None:
    try:
        if request.node.stash.get(_CALL_FAILED, False):
            await _save_failure(context, artifacts_of(request.node), failure_name)
    finally:
        await context.close()


async def _save_failure(context: BrowserContext, directory: Path, name: str) -> None:
    """What each open page showed when the test failed; never masks the failure itself."""
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    for index, page in enumerate(context.pages):
        stem = name if index == 0 else f"{name}-{index + 1}"
        try:
            await page.screenshot(path=directory / f"{stem}.png", full_page=True, timeout=5_000)
            html = await page.content()
            await asyncio.to_thread((directory / f"{stem}.html").write_text, html, "utf-8")
        except PlaywrightError:
            continue  # a page that crashed or is mid-navigation: the others still count


@pytest.fixture
async def page(
    browser: Browser, base_url: str, request: pytest.FixtureRequest
) -> AsyncIterator[Page]:
    """A phone-sized page with JavaScript on (or as `with_and_without_js` asks)."""
    javascript = bool(getattr(request, "param", True))
    context = await _open_phone(browser, base_url, javascript=javascript)
    try:
        yield await context.new_page()
    finally:
        await _close_phone(context, request, "failure" if javascript else "failure-no-js")


@pytest.fixture
async def page_without_js(
    browser: Browser, base_url: str, request: pytest.FixtureRequest
) -> AsyncIterator[Page]:
    """A phone-sized page with JavaScript off: what the staff pages must work on."""
    context = await _open_phone(browser, base_url, javascript=False)
    try:
        yield await context.new_page()
    finally:
        await _close_phone(context, request, "failure-without-js")
