"""The browser setup works: Chromium reaches the live service, and an SMS link leads there."""

from __future__ import annotations

from playwright.async_api import Page, Request, expect

from tests.browser.conftest import link_in, shoot
from tests.scenario import Scenario


async def test_swagger_ui_renders_offline_from_the_live_service(page: Page, base_url: str) -> None:
    requested: list[str] = []

    def note(request: Request) -> None:
        requested.append(request.url)

    page.on("request", note)
    response = await page.goto("/docs")
    assert response is not None and response.status == 200

    # Swagger UI is drawn by JavaScript from /openapi.json: wait for what it renders.
    await expect(page.locator(".swagger-ui .info .title")).to_contain_text("odvarsel")
    await expect(page.locator(".opblock-summary-path", has_text="/v1/alerts").first).to_be_visible()
    await shoot(page, "docs", full_page=False)  # the whole spec is a very long page

    assert f"{base_url}/openapi.json" in requested
    elsewhere = [url for url in requested if not url.startswith((base_url + "/", "data:"))]
    assert elsewhere == [], "the docs must load nothing from outside the service"


async def test_healthz_without_javascript(page_without_js: Page) -> None:
    response = await page_without_js.goto("/healthz")
    assert response is not None and response.status == 200
    assert await response.json() == {"status": "ok"}
    # Chromium shows a JSON answer as text: what a person with the link would see.
    await expect(page_without_js.locator("body")).to_contain_text('{"status":"ok"}')
    await shoot(page_without_js, "healthz")


async def test_the_sms_link_opens_on_the_live_service(
    scenario: Scenario, page: Page, base_url: str, app_port: int
) -> None:
    team = await scenario.team()
    await scenario.alert()
    await scenario.settle()

    [sms] = scenario.sms_to(team.member_ids[0])
    link = link_in(sms)
    assert link.startswith(f"{base_url}/a/")

    response = await page.goto(link)
    # Whatever the page says (a 404 before the staff pages existed), the browser got its
    # answer from the live service at the SMS link: the scenario tests go on from here.
    assert response is not None and response.url == link
    assert isinstance(response.status, int)
    assert await response.server_addr() == {"ipAddress": "127.0.0.1", "port": app_port}
    await shoot(page, "sms-link")
