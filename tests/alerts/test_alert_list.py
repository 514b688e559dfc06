"""The leader's list of alerts: what came in and what triage decided, no personal data."""

from __future__ import annotations

from datetime import timedelta

import httpx

from app.auth.scopes import Scope
from app.clock import FakeClock
from app.state import AppState
from tests.factories import Factory
from tests.personal_data import NAME, log_rows, personal_body
from tests.problems import assert_problem


async def test_the_leader_sees_alerts_nobody_was_paged_for(
    http: httpx.AsyncClient, factory: Factory, clock: FakeClock, state: AppState
) -> None:
    amk = await factory.api_client(municipalities=("3107", "0301"))
    case_system = await factory.api_client(scopes=(Scope.ALERTS_DETAILS,))
    paged = await factory.post_alert(amk, personal_body())
    clock.advance(timedelta(minutes=7, seconds=13))
    anonymous = await factory.post_alert(amk, personal_body(consent={"state": "objected"}))
    await factory.post_alert(amk, personal_body(municipality="0301"))

    response = await http.get("/v1/alerts", headers=case_system.headers)
    assert response.status_code == 200, response.text
    listed = response.json()
    # Newest first, own municipality: an objected alert is kept, and so listed, by its hour.
    by_id = {a["id"]: a for a in listed}
    assert sorted(by_id) == sorted([anonymous, paged])
    times = [a["received_at"] for a in listed]
    assert times == sorted(times, reverse=True)
    assert [by_id[a]["triage"]["action"] for a in (anonymous, paged)] == ["no_page", "page_now"]
    assert by_id[anonymous]["received_at"].endswith(":00:00Z"), "an anonymous alert's hour"
    assert NAME not in response.text
    assert await log_rows(state) == [], "no personal data, no disclosure"

    unpaged = await http.get("/v1/alerts?triage=no_page", headers=case_system.headers)
    assert [a["id"] for a in unpaged.json()] == [anonymous]
    older = await http.get("/v1/alerts?offset=1&limit=1", headers=case_system.headers)
    assert [a["id"] for a in older.json()] == [listed[1]["id"]]
    assert_problem(await http.get("/v1/alerts?municipality=0301", headers=case_system.headers), 404)
    assert_problem(await http.get("/v1/alerts", headers=amk.headers), 403)
