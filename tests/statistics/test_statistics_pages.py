"""The coordinator's statistics pages (`/a/statistics`): the leader's, with SVG charts drawn
on the server, the tables with "<5" and "x", the CSV and the printable reports."""

from __future__ import annotations

import csv
import io
import re

from fastapi import FastAPI

from app.statistics.charts import Bar, bar_chart
from app.statistics.service import CSV_COLUMNS
from tests.scenario import Scenario
from tests.staff_auth import browser_client
from tests.statistics.helpers import november, person_keys
from tests.web.test_case_pages import signed_in


def test_a_bar_chart_scales_its_bars_and_writes_hidden_ones_without_a_bar() -> None:
    svg = str(
        bar_chart(
            [Bar("jan", 10, "10"), Bar("feb", None, "<5"), Bar("mar", 5, "5"), Bar("apr", 0, "0")],
            title="Hendelser <per> måned",
            chart_id="c",
        )
    )
    heights = [int(h) for h in re.findall(r'<rect class="chart-bar"[^>]* height="(\d+)"', svg)]
    assert heights == [140, 70]
    assert "&lt;5" in svg and "Hendelser &lt;per&gt; måned" in svg
    assert svg.startswith("<svg") and "<script" not in svg


async def test_the_leader_sees_the_year_with_charts_and_hidden_counts(
    scenario: Scenario, app: FastAPI
) -> None:
    await november(scenario)
    async with browser_client(app) as ada:
        await signed_in(ada, scenario.state, scenario.clock, scenario.teams[0], 0)
        cases = await ada.get("/a/cases")
        assert 'href="/a/statistics"' in cases.text
        page = await ada.get("/a/statistics")
        assert page.status_code == 200, page.text
        assert "Statistikk: 2026" in page.text
        assert page.text.count('<rect class="chart-bar"') >= 1
        assert re.search(r'id="stats-events">12<', page.text)
        table = page.text[page.text.index('id="table-sex"') :]
        table = table[: table.index("</table>")]
        assert "Kvinne" in table or "female" not in table
        assert "&lt;5" in table and ">x<" in table
        assert 'href="/a/statistics/csv?period=2026"' in page.text
        for key in await person_keys(scenario):
            assert key not in page.text

        month = await ada.get("/a/statistics?period=2026-11")
        assert "Statistikk: november 2026" in month.text
        chart = month.text[month.text.index('id="chart-months"') :]
        chart = chart[: chart.index("</svg>")]
        assert chart.count('class="label"') == 12, "a month's chart shows its year"

        exported = await ada.get("/a/statistics/csv?period=2026-11")
        assert exported.status_code == 200
        reader = csv.DictReader(io.StringIO(exported.text))
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        assert {row["dimension"] for row in reader} >= {"events", "sex", "place_type"}

        monthly = await ada.get("/a/statistics/report?period=2026-11")
        assert monthly.status_code == 200
        assert "Månedsrapport november 2026" in monthly.text
        half = await ada.get("/a/statistics/report?period=2026-H2")
        assert "Halvårsrapport 2. halvår 2026" in half.text
        half_chart = half.text[half.text.index('id="chart-months"') :]
        half_chart = half_chart[: half_chart.index("</svg>")]
        assert half_chart.count('class="label"') == 6, "a half-year's chart shows its months"
        assert half_chart.count('<rect class="chart-bar"') == 1


async def test_others_are_sent_away(scenario: Scenario, app: FastAPI) -> None:
    await november(scenario, women=0, men=5)
    async with browser_client(app) as stranger:
        response = await stranger.get("/a/statistics")
        assert response.status_code == 303
        assert "/a/s" in response.headers["location"]
    async with browser_client(app) as bo:
        await signed_in(bo, scenario.state, scenario.clock, scenario.teams[0], 1)
        refused = await bo.get("/a/statistics")
        assert refused.status_code == 403
        assert "Bare lederen ser statistikken" in refused.text
        assert 'href="/a/statistics"' not in (await bo.get("/a/cases")).text
    async with browser_client(app) as ada:
        await signed_in(ada, scenario.state, scenario.clock, scenario.teams[0], 0)
        for odd_period in ("2026-13", "0000", "2026-H3"):
            odd = await ada.get(f"/a/statistics/report?period={odd_period}")
            assert odd.status_code == 404
            assert "Perioden finnes ikke" in odd.text
