"""The coordinator's statistics in a real browser: the leader opens the page from the cases,
sees the chart of events per month (an SVG with bars, drawn by the service) and the tables,
opens the monthly report, and not one request leaves the machine (no CDN, no font, no
script from elsewhere)."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.async_api import Page, Request, expect

from tests.browser.conftest import shoot
from tests.browser.test_warning_pages import sign_in
from tests.scenario import Scenario
from tests.statistics.helpers import november


async def test_the_leader_sees_the_statistics_with_a_chart_and_nothing_leaves_the_machine(
    scenario: Scenario, base_url: str, page: Page
) -> None:
    await november(scenario)
    hosts: list[str] = []

    def record(request: Request) -> None:
        hosts.append(urlsplit(request.url).hostname or request.url)

    page.on("request", record)
    await sign_in(page, base_url, scenario.state, scenario.clock, scenario.teams[0], 0)

    await page.goto("/a/cases")
    await page.get_by_role("link", name="Statistikk for kartleggingen").click()
    await expect(page.get_by_role("heading", name="Statistikk: 2026")).to_be_visible()
    chart = page.locator("svg#chart-months")
    await expect(chart).to_be_visible()
    await expect(chart.locator("rect.chart-bar")).to_have_count(1)  # November's 12
    await expect(chart.locator("text.value.shown").nth(10)).to_have_text("12")
    await expect(page.locator("svg#chart-shares")).to_be_visible()
    await expect(page.locator("#stats-events")).to_have_text("12")
    sex = page.locator("#table-sex")
    await expect(sex.get_by_role("row", name="Kvinne <5")).to_be_visible()
    await expect(sex.get_by_role("row", name="Mann x")).to_be_visible()
    await chart.scroll_into_view_if_needed()
    await shoot(page, "1-year-chart", full_page=False)

    await page.get_by_role("link", name="november 2026").click()
    await page.get_by_role("link", name="Rapport for perioden (utskrift)").click()
    await expect(page.get_by_role("heading", name="Månedsrapport november 2026")).to_be_visible()
    await expect(page.locator("svg#chart-months rect.chart-bar")).to_have_count(1)
    await shoot(page, "2-monthly-report")

    assert hosts, "the page made no request at all"
    assert set(hosts) == {"127.0.0.1"}, hosts
