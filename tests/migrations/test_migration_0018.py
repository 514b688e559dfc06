"""Migration 0018 (staff file concern reports and draft warnings) keeps the clients' reports and
warnings, and the warnings that refer to them, both ways; a downgrade refuses while a
staff-filed row exists."""

from __future__ import annotations

import asyncio

import pytest

from app.auth.scopes import Scope
from app.cli import run_migrations as migrate
from app.state import AppState
from tests.drug_warnings.test_drug_warnings import (
    approve_warning,
    as_leader,
    draft_warning,
    set_contacts,
    world,
)
from tests.drug_warnings.test_drug_warnings_staff import REPORT, team, token_of
from tests.factories import TeamSetup
from tests.migrations.test_migration_0006 import as_uuid, rows
from tests.scenario import Scenario

__all__ = ["team", "world"]

COUNTS = (
    "SELECT (SELECT count(*) FROM concern_report), (SELECT count(*) FROM drug_warning), "
    "(SELECT count(*) FROM incoming_drug_warning), "
    "(SELECT count(*) FROM drug_warning WHERE concern_report_id IS NOT NULL)"
)


async def migrated(state: AppState, revision: str, *, down: bool = False) -> None:
    await state.engine.dispose()
    await asyncio.to_thread(migrate, state.settings, revision, down=down)


async def test_0018_keeps_reports_and_warnings_both_ways(world: Scenario) -> None:
    await set_contacts(world)
    partner = await world.factory.api_client(
        municipalities=("3107",), scopes=(Scope.CONCERNS_WRITE,)
    )
    filed = await world.http.post("/v1/concern-reports", json=REPORT, headers=partner.headers)
    assert filed.status_code == 201, filed.text
    drafted = await draft_warning(world, concern_report_id=filed.json()["id"])
    assert (await approve_warning(world, drafted.json()["id"])).status_code == 200
    before = await rows(world.state, COUNTS)
    assert before == [(1, 1, 1, 1)]

    await migrated(world.state, "0017", down=True)
    assert await rows(world.state, COUNTS) == before
    await migrated(world.state, "head")
    assert await rows(world.state, COUNTS) == before
    [(report_id, client_id, member_id)] = await rows(
        world.state, "SELECT id, client_id, member_id FROM concern_report"
    )
    assert as_uuid(report_id) == as_uuid(filed.json()["id"])
    assert (client_id, member_id) == (partner.client_id, None)
    listed = await world.http.get("/v1/drug-warnings", headers=await as_leader(world))
    assert [w["id"] for w in listed.json()] == [drafted.json()["id"]]


async def test_0018_will_not_go_down_over_a_staff_filed_report(
    world: Scenario, team: TeamSetup
) -> None:
    bo = await token_of(world, team, 1)
    filed = await world.http.post("/v1/concern-reports", json=REPORT, headers=bo)
    assert filed.status_code == 201, filed.text
    with pytest.raises(RuntimeError, match="filed by staff"):
        await migrated(world.state, "0017", down=True)
    assert await rows(world.state, "SELECT count(*) FROM concern_report") == [(1,)]
