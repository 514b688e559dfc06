"""GET /v1/statistics/{municipality}: the team leader's (a staff session) or a client's with
`statistics:read`; JSON or CSV, small counts hidden, no person key in any answer."""

from __future__ import annotations

import csv
import io

import httpx

from app.auth.scopes import Scope
from app.statistics.service import CSV_COLUMNS
from tests.problems import assert_problem
from tests.scenario import Scenario
from tests.statistics.helpers import november, person_keys
from tests.web.test_case_pages import session_token

NOVEMBER = "/v1/statistics/3107?period=2026-11"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def leader(scenario: Scenario) -> dict[str, str]:
    return bearer(await session_token(scenario.state, scenario.clock, scenario.teams[0], 0))


async def test_the_leader_reads_the_month_with_small_counts_hidden(scenario: Scenario) -> None:
    await november(scenario)
    response = await scenario.http.get(NOVEMBER, headers=await leader(scenario))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["municipality"], body["period"], body["granularity"]) == (
        "3107",
        "2026-11",
        "month",
    )
    assert body["events"] == {"count": 12, "shown": "12"}
    assert body["persons"] == 12
    by = {(row["dimension"], row["value"]): row for row in body["breakdown"]}
    assert by[("sex", "female")] == {
        "dimension": "sex",
        "value": "female",
        "count": None,
        "shown": "<5",
    }
    assert by[("sex", "male")]["shown"] == "x"  # else 12 - 10 would give the 2 women
    assert by[("kind", "non_fatal")]["shown"] == "12"
    assert by[("place_type", "outdoors")]["shown"] == "12"
    assert body["shares"]["home"] is None and body["shares"]["evening"] is None
    assert body["months"] == [{"month": "2026-11", "count": 12, "shown": "12"}]
    for key in await person_keys(scenario):
        assert key not in response.text


async def test_the_half_year_shows_the_same_month_cells(scenario: Scenario) -> None:
    await november(scenario)
    headers = await leader(scenario)
    half = (await scenario.http.get("/v1/statistics/3107?period=2026-H2", headers=headers)).json()
    year = (await scenario.http.get("/v1/statistics/3107?period=2026", headers=headers)).json()
    assert [m["shown"] for m in half["months"]] == ["0", "0", "0", "0", "12", "0"]
    assert half["events"]["count"] == year["events"]["count"] == 12
    assert {(r["dimension"], r["value"]): r["shown"] for r in half["breakdown"]}[
        ("sex", "female")
    ] == "<5"


async def test_the_csv_has_the_documented_columns(scenario: Scenario) -> None:
    await november(scenario)
    headers = await leader(scenario)
    for response in (
        await scenario.http.get(f"{NOVEMBER}&format=csv", headers=headers),
        await scenario.http.get(NOVEMBER, headers={**headers, "Accept": "text/csv"}),
    ):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert "statistikk-3107-2026-11.csv" in response.headers["content-disposition"]
        reader = csv.DictReader(io.StringIO(response.text))
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        rows = {(row["dimension"], row["value"]): row for row in reader}
        assert rows[("events", "all")] == {
            "municipality": "3107",
            "period": "2026-11",
            "dimension": "events",
            "value": "all",
            "count": "12",
            "shown": "12",
        }
        assert (rows[("sex", "female")]["count"], rows[("sex", "female")]["shown"]) == ("", "<5")
        assert rows[("sex", "male")]["shown"] == "x"
        assert rows[("persons", "distinct")]["shown"] == "12"
        assert rows[("share", "reached_within_24h")]["shown"] == ""
        for key in await person_keys(scenario):
            assert key not in response.text


async def test_a_client_with_the_scope_reads_its_municipalities_only(scenario: Scenario) -> None:
    await november(scenario)
    response = await scenario.request("GET", NOVEMBER, Scope.STATISTICS_READ)
    assert response.status_code == 200, response.text
    assert response.json()["events"]["count"] == 12
    oslo = await scenario.request("GET", NOVEMBER, Scope.STATISTICS_READ, municipalities=("0301",))
    assert_problem(oslo, 404)
    assert_problem(await scenario.request("GET", NOVEMBER, Scope.ALERTS_DETAILS), 403)
    assert_problem(await scenario.http.get(NOVEMBER), 401)


async def test_only_the_leader_of_the_municipality(scenario: Scenario) -> None:
    await november(scenario)
    member = bearer(await session_token(scenario.state, scenario.clock, scenario.teams[0], 1))
    assert_problem(await scenario.http.get(NOVEMBER, headers=member), 403)
    oslo_team = await scenario.team(municipality="0301", name="Oslo")
    oslo_leader = bearer(await session_token(scenario.state, scenario.clock, oslo_team, 0))
    assert_problem(await scenario.http.get(NOVEMBER, headers=oslo_leader), 404)
    ok = await scenario.http.get("/v1/statistics/0301?period=2026-11", headers=oslo_leader)
    assert ok.status_code == 200 and ok.json()["events"]["count"] == 0


async def test_bad_periods_and_formats_are_422_naming_the_field(scenario: Scenario) -> None:
    await scenario.team()
    headers = await leader(scenario)
    for query, field in [
        ("period=2026-13", "period"),
        ("period=2026-H3", "period"),
        ("period=", "period"),
        ("", "period"),
        ("period=2026&format=xml", "format"),
    ]:
        response: httpx.Response = await scenario.http.get(
            f"/v1/statistics/3107?{query}", headers=headers
        )
        body = assert_problem(response, 422)
        assert field in response.text, body
    assert_problem(await scenario.http.get("/v1/statistics/31?period=2026", headers=headers), 422)
