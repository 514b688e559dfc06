"""Escalation policy administration, and the storage glue the engine calls."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.errors import NotFound
from app.escalation.policy import rules as rules
from app.escalation.policy import service as policy_service
from app.roster.rota import duty as roster_duty
from app.state import AppState
from tests.factories import ApiCredentials, Factory
from tests.problems import assert_problem

ADMIN = "/v1/admin"


@pytest.fixture
async def admin(factory: Factory) -> ApiCredentials:
    return await factory.admin_client()


def policy_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "steps": [{"delay_minutes": 5, "targets": [{"kind": "on_duty"}]}],
        "repeat": 0,
    }
    body.update(overrides)
    return body


async def test_a_team_without_a_policy_escalates_by_the_default(factory: Factory, state: AppState):
    """What the engine loads; the admin API shows it (tests/test_settings_documents.py)."""
    team = await factory.team()
    async with state.sessions() as session:
        assert await policy_service.load_policy(session, team_id=team.team_id) == (
            rules.DEFAULT_POLICY
        )


async def test_a_policy_is_stored_replaced_and_loaded_for_the_engine(
    factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials, state: AppState
):
    team = await factory.team()
    ada, bo, _ = (str(m) for m in team.member_ids)
    url = f"{ADMIN}/teams/{team.team_id}/escalation-policy"
    body = policy_body(
        steps=[
            {"delay_minutes": 3, "targets": [{"kind": "on_duty"}]},
            {
                "delay_minutes": 7,
                "targets": [{"kind": "members", "member_ids": [bo, ada]}, {"kind": "leader"}],
            },
            {"delay_minutes": 15, "targets": [{"kind": "fallback"}]},
        ],
        repeat=2,
        fallback_number="900 00 009",
    )
    response = await http.put(url, json=body, headers=admin.headers)
    assert response.status_code == 200, response.text
    stored = response.json()
    assert (stored["configured"], stored["fallback_number"]) == (True, "+4790000009")
    assert stored["updated_at"] == "2026-11-23T12:00:00Z"
    assert (await http.get(url, headers=admin.headers)).json() == stored
    async with state.sessions() as session:
        loaded = await policy_service.load_policy(session, team_id=team.team_id)
    assert loaded == rules.Policy(
        steps=(
            rules.Step((rules.StepTarget(rules.TargetKind.ON_DUTY),), delay_minutes=3),
            rules.Step(
                (
                    rules.StepTarget(rules.TargetKind.MEMBERS, (bo, ada)),
                    rules.StepTarget(rules.TargetKind.LEADER),
                ),
                delay_minutes=7,
            ),
            rules.Step((rules.StepTarget(rules.TargetKind.FALLBACK),), delay_minutes=15),
        ),
        repeat=2,
        fallback_number="+4790000009",
    )

    shorter = await http.put(url, json=policy_body(), headers=admin.headers)
    assert [s["delay_minutes"] for s in shorter.json()["steps"]] == [5]
    async with state.sessions() as session:
        loaded = await policy_service.load_policy(session, team_id=team.team_id)
    assert (len(loaded.steps), loaded.repeat, loaded.fallback_number) == (1, 0, None)


async def test_a_policy_may_name_only_active_members_of_the_team(
    factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials
):
    team = await factory.team()
    other = await factory.team(municipality="0301", name="Oslo team")
    stranger, ours = str(other.member_ids[0]), str(team.member_ids[1])
    url = f"{ADMIN}/teams/{team.team_id}/escalation-policy"
    body = policy_body(
        steps=[
            {"delay_minutes": 5, "targets": [{"kind": "on_duty"}]},
            {"delay_minutes": 5, "targets": [{"kind": "members", "member_ids": [ours, stranger]}]},
        ]
    )
    problem = assert_problem(await http.put(url, json=body, headers=admin.headers), 422)
    assert problem["errors"] == [
        {"field": "steps.1.targets.0.member_ids.1", "reason": "not a member of this team"}
    ]
    assert (await http.get(url, headers=admin.headers)).json()["configured"] is False


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (
            {"steps": [{"delay_minutes": 5, "targets": [{"kind": "fallback"}]}]},
            "body",
            "a step targets the fallback number, but the policy has none",
        ),
        (
            {"steps": [{"delay_minutes": 5, "targets": [{"kind": "members"}]}]},
            "body",
            "a members target needs at least one member id",
        ),
        ({"fallback_number": "69 00 00 00"}, "fallback_number", "not a Norwegian mobile"),
        ({"repeat": rules.MAX_REPEAT + 1}, "repeat", "less than or equal to 10"),
        ({"steps": []}, "steps", "at least 1 item"),
        (
            {"steps": [{"delay_minutes": 0, "targets": [{"kind": "on_duty"}]}]},
            "steps.0.delay_minutes",
            "greater than or equal to 1",
        ),
        (
            {"steps": [{"delay_minutes": 5, "targets": [{"kind": "pager"}]}]},
            "steps.0.targets.0.kind",
            "Input should be",
        ),
    ],
)
async def test_invalid_policies_are_refused(
    factory: Factory,
    http: httpx.AsyncClient,
    admin: ApiCredentials,
    change: dict[str, Any],
    field: str,
    reason: str,
):
    team = await factory.team()
    response = await http.put(
        f"{ADMIN}/teams/{team.team_id}/escalation-policy",
        json=policy_body(**change),
        headers=admin.headers,
    )
    [error] = assert_problem(response, 422)["errors"]
    assert error["field"] == field and reason in error["reason"]


async def test_the_engine_glue_finds_the_receiving_team_and_its_view(
    factory: Factory, http: httpx.AsyncClient, admin: ApiCredentials, state: AppState
):
    team = await factory.team()
    await factory.team(name="MOT", receives_alerts=False)
    ada, bo, cy = team.member_ids
    async with state.sessions() as session:
        found = await roster_duty.team_for_municipality(session, code="3107")
        assert found is not None and found.id == team.team_id
        assert await roster_duty.team_for_municipality(session, code="0301") is None
        view, members = await roster_duty.team_view(
            session, team_id=team.team_id, at=factory.clock.now()
        )
    assert view == roster_duty.DutyView(
        on_duty=(str(ada),), members=(str(ada), str(bo), str(cy)), leader_id=str(ada)
    )
    assert members[str(ada)].mobile == team.mobiles[ada]

    await http.post(f"{ADMIN}/teams/{team.team_id}/members/{bo}/deactivate", headers=admin.headers)
    week_of_bo = factory.clock.now() + timedelta(days=7)
    async with state.sessions() as session:
        roster = await roster_duty.load_roster(session, team_id=team.team_id)
        view, members = await roster_duty.team_view(session, team_id=team.team_id, at=week_of_bo)
        with pytest.raises(NotFound):
            await roster_duty.team_view(session, team_id=uuid.UUID(int=3), at=week_of_bo)
    # Bo keeps his place in the rotation (nobody else's turns move), but his week is a hole.
    assert roster.rotations[0].members == tuple(str(m) for m in team.member_ids)
    assert view == roster_duty.DutyView(on_duty=(), members=(str(ada), str(cy)), leader_id=str(ada))
    assert set(members) == {str(ada), str(cy)}
    step = rules.Step((rules.StepTarget(rules.TargetKind.MEMBERS, (str(bo),)),), delay_minutes=5)
    team_view = rules.TeamView(view.on_duty, view.members, view.leader_id)
    assert rules.recipients_for(step, team_view, None).unknown_member_ids == (str(bo),)
