"""Times no request can mean: refused with 422, never accepted into a worker that then fails
forever, and never a 500 from an overflow while converting or adding to them."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from app.clock import FakeClock
from app.config import Settings
from app.state import AppState
from tests.factories import ApiCredentials, Factory, alert_body, count_alerts
from tests.problems import assert_problem

OVERFLOWING = [
    "9999-12-31T23:59:59+00:00",  # was accepted; the escalation then overflowed forever
    "9999-12-31T23:59:59-05:00",  # was a 500: no UTC equivalent
    "0001-01-01T00:00:00+05:00",  # was a 500: no UTC equivalent
]


@pytest.fixture
async def amk(factory: Factory) -> ApiCredentials:
    return await factory.api_client(municipalities=("3107",))


def _iso(clock: FakeClock, delta: timedelta) -> str:
    return (clock.now() + delta).isoformat()


@pytest.mark.parametrize("occurred_at", OVERFLOWING)
async def test_an_impossible_occurred_at_is_a_422(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState, occurred_at: str
):
    response = await http.post(
        "/v1/alerts", json=alert_body(occurred_at=occurred_at), headers=amk.headers
    )
    problem = assert_problem(response, 422)
    assert problem["type"].endswith("/validation-error")
    assert [e["field"] for e in problem["errors"]] == ["occurred_at"]
    assert occurred_at[:4] not in problem["detail"]  # the value is not repeated
    assert await count_alerts(state) == 0


@pytest.mark.parametrize(
    ("delta", "accepted"),
    [
        (timedelta(days=-364), True),
        (timedelta(days=-366), False),
        (timedelta(minutes=59), True),
        (timedelta(minutes=61), False),
        (timedelta(days=400), False),
    ],
)
async def test_occurred_at_must_lie_within_a_year_back_and_an_hour_ahead(
    http: httpx.AsyncClient,
    amk: ApiCredentials,
    clock: FakeClock,
    delta: timedelta,
    accepted: bool,
):
    body = alert_body(occurred_at=_iso(clock, delta))
    response = await http.post("/v1/alerts", json=body, headers=amk.headers)
    if accepted:
        assert response.status_code == 201, response.text
    else:
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["field"] == "occurred_at"
        assert "service's clock" in problem["errors"][0]["reason"]


def test_the_bounds_are_settings(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("INTAKE__MAX_AGE_DAYS", "30")
    monkeypatch.setenv("INTAKE__MAX_FUTURE_MINUTES", "5")
    intake = Settings().intake
    assert (intake.max_age_days, intake.max_future_minutes) == (30, 5)


@pytest.mark.parametrize("instant", OVERFLOWING)
@pytest.mark.parametrize(
    "path",
    [
        "/on-duty?at={}",
        "/shifts?from={}",
        "/overrides?to={}",
    ],
)
async def test_an_impossible_instant_in_a_query_is_a_422(
    factory: Factory, http: httpx.AsyncClient, instant: str, path: str
):
    admin = await factory.admin_client()
    team = await factory.team()
    url = f"/v1/admin/teams/{team.team_id}" + path.format(instant.replace("+", "%2B"))
    assert_problem(await http.get(url, headers=admin.headers), 422)


async def test_an_import_window_that_would_overflow_is_a_422(
    factory: Factory, http: httpx.AsyncClient
):
    admin = await factory.admin_client()
    team = await factory.team()
    response = await http.post(
        f"/v1/admin/teams/{team.team_id}/rota-import?from=9999-12-31T00:00:00Z&days=366",
        content=b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
        headers={**admin.headers, "Content-Type": "text/calendar"},
    )
    assert_problem(response, 422)


@pytest.mark.parametrize("instant", OVERFLOWING)
async def test_impossible_rota_times_are_a_422(
    factory: Factory, http: httpx.AsyncClient, instant: str
):
    admin = await factory.admin_client()
    team = await factory.team()
    base = f"/v1/admin/teams/{team.team_id}"
    shift = {"member_id": str(team.member_ids[0]), "starts_at": instant, "ends_at": instant}
    rotation = {"member_ids": [str(team.member_ids[0])], "anchor": instant, "shift_days": 7}
    for path, body in (("/shifts", shift), ("/rotations", rotation)):
        response = await http.post(base + path, json=body, headers=admin.headers)
        problem = assert_problem(response, 422)
        assert {"starts_at", "anchor"} & {e["field"] for e in problem["errors"]}
