"""The case API with a staff session token (`Authorization: Bearer ods_…`): a member works
their municipality's cases as themselves, the leader's changes stay the leader's, another
municipality's staff find nothing, and only a live session in the header counts.

The team: Ada (leader), Bo and Cy. Bo takes the alerts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from app.auth.staff.security import SESSION_COOKIE
from app.clock import FakeClock
from tests.followup.test_followup_cases import BO, CASES, CY, alert, desk, read_case, take
from tests.problems import assert_problem
from tests.scenario import Scenario
from tests.web.test_case_pages import session_token

__all__ = ["desk"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def staff_token(desk: Scenario, index: int) -> str:
    return await session_token(desk.state, desk.clock, desk.teams[0], index)


async def call(
    desk: Scenario, token: str, method: str, path: str, body: Any = None
) -> httpx.Response:
    return await desk.http.request(method, f"{CASES}{path}", json=body, headers=bearer(token))


async def test_a_member_lists_reads_and_records_as_themselves(desk: Scenario) -> None:
    case_id = await take(desk, await alert(desk))
    bo = await staff_token(desk, 1)

    listed = await call(desk, bo, "GET", "")
    assert listed.status_code == 200, listed.text
    assert [c["id"] for c in listed.json()] == [str(case_id)]
    assert (await call(desk, bo, "GET", f"/{case_id}")).status_code == 200

    recorded = await call(
        desk, bo, "POST", f"/{case_id}/steps/reach/records", {"action": "done", "outcome": "Nådd"}
    )
    assert recorded.status_code == 200, recorded.text
    reach = next(s for s in recorded.json()["steps"] if s["key"] == "reach")
    assert reach["state"] == "done"
    assert reach["recorded_by"].startswith("Bo Dahl (")
    as_the_case_system = await read_case(desk, case_id)
    assert as_the_case_system["steps"] == recorded.json()["steps"]


async def test_a_member_cannot_name_someone_else(desk: Scenario) -> None:
    case_id = await take(desk, await alert(desk))
    bo = await staff_token(desk, 1)
    as_cy = await call(
        desk,
        bo,
        "POST",
        f"/{case_id}/steps/reach/records",
        {"action": "done", "by_member_id": str(desk.member(CY))},
    )
    assert_problem(as_cy, 422)
    assert as_cy.json()["errors"][0]["field"] == "by_member_id"
    as_himself = await call(
        desk,
        bo,
        "POST",
        f"/{case_id}/steps/reach/records",
        {"action": "done", "by_member_id": str(desk.member(BO))},
    )
    assert as_himself.status_code == 200, as_himself.text


async def test_the_leaders_changes_are_the_signed_in_leaders(desk: Scenario) -> None:
    case_id = await take(desk, await alert(desk))
    bo, ada = await staff_token(desk, 1), await staff_token(desk, 0)
    close = {"reason": "Flyttet til annen kommune"}

    refused = await call(desk, bo, "POST", f"/{case_id}/closure", close)
    assert_problem(refused, 403)
    handed = await call(
        desk, bo, "POST", f"/{case_id}/reassignment", {"owner_member_id": str(desk.member(CY))}
    )
    assert_problem(handed, 403)
    assert (await read_case(desk, case_id))["state"] == "open"

    closed = await call(desk, ada, "POST", f"/{case_id}/closure", close)
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "closed_early"
    assert closed.json()["closed_by"].startswith("Ada Lund (")


async def test_another_municipalitys_staff_find_nothing(desk: Scenario) -> None:
    case_id = await take(desk, await alert(desk))
    oslo = await desk.factory.team(municipality="0301", name="Oslo team", member_names=("Di",))
    di = await session_token(desk.state, desk.clock, oslo, 0)  # Oslo's leader

    assert (await call(desk, di, "GET", "")).json() == []
    assert_problem(await call(desk, di, "GET", f"/{case_id}"), 404)
    assert_problem(await call(desk, di, "GET", "?municipality=3107"), 404)
    for path, body in (
        (f"/{case_id}/steps/reach/records", {"action": "done"}),
        (f"/{case_id}/closure", {"reason": "Ikke vår sak"}),
    ):
        assert_problem(await call(desk, di, "POST", path, body), 404)
    reach = next(s for s in (await read_case(desk, case_id))["steps"] if s["key"] == "reach")
    assert reach["state"] == "open"


async def test_another_teams_member_of_the_municipality_may_read_but_not_change(
    desk: Scenario,
) -> None:
    case_id = await take(desk, await alert(desk))
    other = await desk.factory.team(
        name="Helsestasjon", receives_alerts=False, member_names=("Eva",), leader=False
    )
    eva = await session_token(desk.state, desk.clock, other, 0)
    assert (await call(desk, eva, "GET", f"/{case_id}")).status_code == 200
    refused = await call(desk, eva, "POST", f"/{case_id}/steps/reach/records", {"action": "done"})
    assert_problem(refused, 403)


async def test_only_a_live_session_in_the_header_counts(desk: Scenario, clock: FakeClock) -> None:
    case_id = await take(desk, await alert(desk))
    bo = await staff_token(desk, 1)
    path = f"{CASES}/{case_id}"

    # The pages' cookie is not the API's: a cookie could be sent by another site's form.
    desk.http.cookies.set(SESSION_COOKIE, bo)
    assert_problem(await desk.http.get(path), 401)
    desk.http.cookies.clear()

    for forged in ("ods_" + "A" * 43, "ods_", "ods_" + bo[4:-1]):
        assert_problem(await desk.http.get(path, headers=bearer(forged)), 401)

    signed_out = await desk.http.post("/v1/staff/signout", headers=bearer(bo))
    assert signed_out.status_code == 204, signed_out.text
    assert_problem(await desk.http.get(path, headers=bearer(bo)), 401)

    expiring = await staff_token(desk, 1)
    assert (await desk.http.get(path, headers=bearer(expiring))).status_code == 200
    clock.advance(timedelta(hours=desk.state.settings.staff.session_hours, seconds=1))
    assert_problem(await desk.http.get(path, headers=bearer(expiring)), 401)


async def test_a_case_system_token_without_the_scope_is_still_refused(desk: Scenario) -> None:
    case_id = await take(desk, await alert(desk))
    amk_token = (await desk.client()).token  # alerts:write only
    assert_problem(await desk.http.get(f"{CASES}/{case_id}", headers=bearer(amk_token)), 403)
