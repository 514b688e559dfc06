"""Warnings about dangerous drugs through the API with a staff session token: any member files
a concern report as themselves; the team's leader lists, drafts, approves and reviews as
themselves (`by` is the session's); another member is refused; the case system must still
say whom it acts for.

The team: Ada (leader), Bo and Cy, in Fredrikstad (3107).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from app.state import AppState
from tests.drug_warnings.test_drug_warnings import (
    BY,
    CLEAN_TEXT,
    FEDERAL,
    NEIGHBOUR,
    approve_warning,
    as_leader,
    draft_warning,
    make_cluster,
    read_signals,
    set_contacts,
    sms_sent_to,
    world,
)
from tests.factories import TeamSetup
from tests.problems import assert_problem
from tests.scenario import Scenario
from tests.web.test_case_pages import session_token

__all__ = ["world"]

REPORT = {
    "municipality": FEDERAL,
    "reporter_kind": "municipal_staff",
    "description": "Brukere på Torvbyen melder om grønne tabletter solgt som oksykodon.",
    "substances": ["other_opioid"],
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def team(world: Scenario) -> TeamSetup:
    return await world.factory.team(municipality=FEDERAL)


async def token_of(world: Scenario, team: TeamSetup, index: int) -> dict[str, str]:
    return bearer(await session_token(world.state, world.clock, team, index))


async def filed_by(state: AppState, table: str) -> list[tuple[Any, Any]]:
    async with state.engine.connect() as connection:
        rows = await connection.execute(text(f"SELECT client_id, member_id FROM {table}"))
        return [tuple(row) for row in rows]


async def test_a_member_files_a_concern_report_as_themselves(
    world: Scenario, team: TeamSetup
) -> None:
    bo = await token_of(world, team, 1)
    filed = await world.http.post("/v1/concern-reports", json=REPORT, headers=bo)
    assert filed.status_code == 201, filed.text
    [(client_id, member_id)] = await filed_by(world.state, "concern_report")
    assert client_id is None and str(member_id).replace("-", "") == team.member_ids[1].hex

    elsewhere = await world.http.post(
        "/v1/concern-reports", json={**REPORT, "municipality": NEIGHBOUR}, headers=bo
    )
    assert_problem(elsewhere, 422)
    assert elsewhere.json()["errors"][0]["field"] == "municipality"
    listed = await world.http.get("/v1/concern-reports", headers=await as_leader(world))
    assert [r["id"] for r in listed.json()] == [filed.json()["id"]]


async def test_only_the_leader_acts_on_signals_and_warnings(
    world: Scenario, team: TeamSetup
) -> None:
    bo, ada = await token_of(world, team, 1), await token_of(world, team, 0)
    for path in ("/v1/cluster-signals", "/v1/drug-warnings", "/v1/concern-reports"):
        assert_problem(await world.http.get(path, headers=bo), 403)
        assert (await world.http.get(path, headers=ada)).status_code == 200
    signal = await make_cluster(world)
    body = {"municipality": FEDERAL, "signal_id": signal["id"], "text": CLEAN_TEXT}
    assert_problem(await world.http.post("/v1/drug-warnings", json=body, headers=bo), 403)
    dismissed = await world.http.post(
        f"/v1/cluster-signals/{signal['id']}/dismiss", json={"note": "Ikke nødvendig"}, headers=bo
    )
    assert_problem(dismissed, 403)
    assert (await read_signals(world))[0]["status"] == "open"


async def test_the_leader_drafts_and_approves_as_themselves(
    world: Scenario, team: TeamSetup
) -> None:
    await set_contacts(world)
    ada = await token_of(world, team, 0)
    signal = await make_cluster(world)
    someone_else = {"name": "Noen Andre", "role": "vikar"}
    drafted = await world.http.post(
        "/v1/drug-warnings",
        json={
            "municipality": FEDERAL,
            "signal_id": signal["id"],
            "text": CLEAN_TEXT,
            "by": someone_else,
        },
        headers=ada,
    )
    assert drafted.status_code == 201, drafted.text
    assert drafted.json()["created_by"].startswith("Ada Lund (")
    [(client_id, member_id)] = await filed_by(world.state, "drug_warning")
    assert client_id is None and member_id is not None

    approved = await world.http.post(
        f"/v1/drug-warnings/{drafted.json()['id']}/approve", json={}, headers=ada
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["approved_by"].startswith("Ada Lund (")
    sent = await sms_sent_to(world, ["+4795000001", "+4795000002"])
    assert len(sent) == 2 and all("Ada" not in body for body in sent)


async def test_the_case_system_must_still_say_whom_it_acts_for(world: Scenario) -> None:
    signal = await make_cluster(world)
    body = {"municipality": FEDERAL, "signal_id": signal["id"], "text": CLEAN_TEXT}
    refused = await world.http.post("/v1/drug-warnings", json=body, headers=await as_leader(world))
    assert_problem(refused, 422)
    assert refused.json()["errors"][0]["field"] == "by"
    drafted = await draft_warning(world, signal_id=signal["id"])
    assert drafted.status_code == 201 and drafted.json()["created_by"].startswith(BY["name"])
    approval = await world.http.post(
        f"/v1/drug-warnings/{drafted.json()['id']}/approve", json={}, headers=await as_leader(world)
    )
    assert_problem(approval, 422)
    assert (await approve_warning(world, drafted.json()["id"])).status_code == 200


async def test_another_municipalitys_leader_finds_nothing(world: Scenario, team: TeamSetup) -> None:
    oslo = await world.factory.team(municipality=NEIGHBOUR, name="Oslo", member_names=("Di",))
    di = await token_of(world, oslo, 0)
    signal = await make_cluster(world)
    drafted = await draft_warning(world, signal_id=signal["id"])
    assert (await world.http.get("/v1/cluster-signals", headers=di)).json() == []
    assert_problem(
        await world.http.get(f"/v1/drug-warnings/{drafted.json()['id']}", headers=di), 404
    )
    approval = await world.http.post(
        f"/v1/drug-warnings/{drafted.json()['id']}/approve", json={}, headers=di
    )
    assert_problem(approval, 404)
    assert_problem(
        await world.http.get(f"/v1/cluster-signals?municipality={FEDERAL}", headers=di), 404
    )
