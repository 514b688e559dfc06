"""Each member's health-personnel basis (hpl § 3): API, deprecated flag, CLI, migration."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.cli import run_migrations as migrate
from app.roster.models import Member
from app.state import AppState
from tests.factories import ApiCredentials, Factory
from tests.migrations.test_migration_0006 import rows
from tests.problems import assert_problem

ADMIN = "/v1/admin"


@pytest.fixture
async def admin(factory: Factory) -> ApiCredentials:
    return await factory.admin_client()


@pytest.fixture
async def members_url(http: httpx.AsyncClient, admin: ApiCredentials) -> str:
    body = {"municipality": "3107", "name": "Ressursteam overdose"}
    team = await http.post(f"{ADMIN}/teams", json=body, headers=admin.headers)
    assert team.status_code == 201, team.text
    return f"{ADMIN}/teams/{team.json()['id']}/members"


def member(**fields: Any) -> dict[str, Any]:
    return {"name": "Kari Nordmann", "mobile": "912 34 567", "role": "sykepleier", **fields}


def flags(body: dict[str, Any]) -> tuple[bool, str | None]:
    return body["is_health_personnel"], body["health_personnel_basis"]


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ({"health_personnel_basis": "authorisation"}, (True, "authorisation")),
        ({"health_personnel_basis": "municipal_care_role"}, (True, "municipal_care_role")),
        ({"health_personnel_basis": None}, (False, None)),
        ({}, (False, None)),
        # The deprecated flag, for one version: true reads as authorisation.
        ({"is_health_personnel": True}, (True, "authorisation")),
        ({"is_health_personnel": False}, (False, None)),
        (
            {"is_health_personnel": True, "health_personnel_basis": "municipal_care_role"},
            (True, "municipal_care_role"),
        ),
        ({"is_health_personnel": False, "health_personnel_basis": None}, (False, None)),
    ],
)
async def test_a_member_is_added_with_a_basis(
    http: httpx.AsyncClient,
    admin: ApiCredentials,
    members_url: str,
    state: AppState,
    sent: dict[str, Any],
    stored: tuple[bool, str | None],
) -> None:
    response = await http.post(members_url, json=member(**sent), headers=admin.headers)
    assert response.status_code == 201, response.text
    assert flags(response.json()) == stored
    async with state.sessions() as session:
        row = await session.get(Member, uuid.UUID(response.json()["id"]))
        assert row is not None
        assert (row.is_health_personnel, row.health_personnel_basis) == stored
    [listed] = (await http.get(members_url, headers=admin.headers)).json()
    assert flags(listed) == stored


@pytest.mark.parametrize(
    "sent",
    [
        {"is_health_personnel": False, "health_personnel_basis": "authorisation"},
        {"is_health_personnel": True, "health_personnel_basis": None},
    ],
)
async def test_a_basis_that_contradicts_the_flag_is_refused(
    http: httpx.AsyncClient, admin: ApiCredentials, members_url: str, sent: dict[str, Any]
) -> None:
    response = await http.post(members_url, json=member(**sent), headers=admin.headers)
    [error] = assert_problem(response, 422)["errors"]
    assert error["field"] == "health_personnel_basis"
    assert "contradicts is_health_personnel" in error["reason"]


async def test_an_unknown_basis_is_refused(
    http: httpx.AsyncClient, admin: ApiCredentials, members_url: str
) -> None:
    sent = member(health_personnel_basis="job_title")
    response = await http.post(members_url, json=sent, headers=admin.headers)
    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == [
        "health_personnel_basis"
    ]


@pytest.mark.parametrize(
    ("start", "patch", "result"),
    [
        ("municipal_care_role", {"health_personnel_basis": "authorisation"}, "authorisation"),
        ("authorisation", {"health_personnel_basis": None}, None),
        (None, {"health_personnel_basis": "municipal_care_role"}, "municipal_care_role"),
        # The deprecated flag alone: true keeps a recorded basis, false removes it.
        ("municipal_care_role", {"is_health_personnel": True}, "municipal_care_role"),
        (None, {"is_health_personnel": True}, "authorisation"),
        ("municipal_care_role", {"is_health_personnel": False}, None),
        ("authorisation", {"mobile": "98765432"}, "authorisation"),
    ],
)
async def test_a_member_update_keeps_flag_and_basis_together(
    http: httpx.AsyncClient,
    admin: ApiCredentials,
    members_url: str,
    start: str | None,
    patch: dict[str, Any],
    result: str | None,
) -> None:
    created = await http.post(
        members_url, json=member(health_personnel_basis=start), headers=admin.headers
    )
    url = f"{members_url}/{created.json()['id']}"
    response = await http.patch(url, json=patch, headers=admin.headers)
    assert response.status_code == 200, response.text
    assert flags(response.json()) == (result is not None, result)


@pytest.mark.parametrize(
    "patch",
    [
        {"is_health_personnel": False, "health_personnel_basis": "municipal_care_role"},
        {"is_health_personnel": True, "health_personnel_basis": None},
    ],
)
async def test_a_contradicting_update_is_refused(
    http: httpx.AsyncClient, admin: ApiCredentials, members_url: str, patch: dict[str, Any]
) -> None:
    created = await http.post(members_url, json=member(), headers=admin.headers)
    url = f"{members_url}/{created.json()['id']}"
    response = await http.patch(url, json=patch, headers=admin.headers)
    [error] = assert_problem(response, 422)["errors"]
    assert error["field"] == "health_personnel_basis"


async def test_the_spec_marks_the_flag_deprecated(app: Any) -> None:
    schemas = app.openapi()["components"]["schemas"]
    for name in ("MemberIn", "MemberUpdate"):
        flag = schemas[name]["properties"]["is_health_personnel"]
        assert flag["deprecated"] is True
        assert "authorisation" in flag["description"]
        assert "health_personnel_basis" in schemas[name]["properties"]
    assert "is_health_personnel" not in schemas["MemberIn"].get("required", [])
    out = schemas["MemberOut"]["properties"]
    assert {"is_health_personnel", "health_personnel_basis"} <= set(out)


async def test_0011_gives_flagged_members_authorisation(factory: Factory, state: AppState) -> None:
    await factory.team(member_names=("Ada", "Bo"))
    async with state.engine.begin() as connection:
        await connection.execute(
            text("UPDATE member SET is_health_personnel = false WHERE name = 'Bo'")
        )
    await state.engine.dispose()
    await asyncio.to_thread(migrate, state.settings, "0010", down=True)
    columns = await rows(state, "SELECT * FROM member WHERE name = 'Ada'")
    assert "health_personnel_basis" not in columns[0]._mapping

    await state.engine.dispose()
    await asyncio.to_thread(migrate, state.settings, "head")
    found = await rows(
        state, "SELECT name, health_personnel_basis FROM member WHERE name IN ('Ada', 'Bo')"
    )
    assert sorted(tuple(r) for r in found) == [("Ada", "authorisation"), ("Bo", None)]
