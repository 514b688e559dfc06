"""A municipality whose alerts carry every recognisable personal value (tests.personal_data),
taken, documented, read by the case system and closed; and the retention pass."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import httpx

from app.auth.scopes import Scope
from app.retention.engine import run_pass
from app.retention.rules import Category
from app.state import AppState
from tests.factories import TeamSetup
from tests.personal_data import case_system, details, personal_body
from tests.scenario import Scenario, page_on_duty

CASES = "/v1/cases"
ADA, BO = 0, 1
"""Ada leads the team, Bo takes the alerts."""
NOTE = "Snakket med søsteren Berit Haugland"
DAYS = timedelta(days=1)


async def desk(scenario: Scenario) -> TeamSetup:
    """Fredrikstad's team (Ada leads, Bo and Cy), paging whoever is on duty."""
    team = await scenario.team()
    await scenario.policy(page_on_duty())
    return team


async def case_api(scenario: Scenario, method: str, path: str, body: Any = None) -> httpx.Response:
    return await scenario.request(method, f"{CASES}{path}", Scope.ALERTS_DETAILS, json=body)


async def opened(scenario: Scenario, **overrides: Any) -> tuple[uuid.UUID, uuid.UUID]:
    """An alert with every personal value, paged, read by the case system and taken by Bo,
    who records a note naming the person: (alert id, case id)."""
    alert_id = await scenario.alert(body=personal_body(**overrides), ago=timedelta(minutes=20))
    await scenario.settle()
    reader = await case_system(scenario)
    assert (await details(scenario.http, reader, str(alert_id))).status_code == 200
    case = await scenario.take(alert_id, scenario.member(BO))
    assert case is not None
    response = await case_api(
        scenario, "POST", f"/{case.id}/steps/assess/records", {"action": "done", "note": NOTE}
    )
    assert response.status_code == 200, response.text
    await scenario.settle()
    return alert_id, case.id


async def close(scenario: Scenario, case_id: uuid.UUID) -> None:
    response = await case_api(
        scenario,
        "POST",
        f"/{case_id}/closure",
        {"reason": "Flyttet til annen kommune", "by_member_id": str(scenario.member(ADA))},
    )
    assert response.status_code == 200, response.text


async def retention_pass(state: AppState) -> Counter[Category]:
    """One pass at the fake clock's time, as the engine and `odvarsel retention run` do."""
    return await run_pass(
        state.sessions, settings=state.settings, cipher=state.cipher, now=state.clock.now()
    )
