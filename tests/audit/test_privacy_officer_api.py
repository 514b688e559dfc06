"""The privacy officer's API: access-log entries by alert, by actor and by person."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.auth.scopes import Scope
from app.consent.enums import DataCategory
from app.state import AppState
from tests.factories import ApiCredentials, Factory
from tests.personal_data import (
    INVALID_NATIONAL_ID,
    NATIONAL_ID,
    REASON,
    case_system,
    details,
    log_rows,
    personal_body,
    privacy_officer,
)
from tests.problems import assert_problem
from tests.scenario import Scenario

OTHER_NATIONAL_ID = "01010750160"
INNSYN = "Innsynsbegjæring 2026/17"


FREDRIKSTAD, OSLO = ("3107",), ("0301",)


@pytest.fixture
async def world(scenario: Scenario, http: httpx.AsyncClient) -> Scenario:
    """Three alerts (`alert`, `other_person_alert`, `oslo_alert`), each shown once to its
    municipality's case system."""
    scenario.municipalities = FREDRIKSTAD + OSLO
    other = personal_body()
    other["person"]["national_id"] = OTHER_NATIONAL_ID
    for body in (personal_body(), other, personal_body(municipality="0301")):
        await scenario.alert(body=body)
    alert, other_person_alert, oslo_alert = (str(a) for a in scenario.alerts)
    for who, alert_id in (
        (await case_system(scenario), alert),
        (await case_system(scenario), other_person_alert),
        (await case_system(scenario, OSLO), oslo_alert),
    ):
        assert (await details(http, who, alert_id)).status_code == 200
    return scenario


@pytest.fixture
def alert(world: Scenario) -> str:
    return str(world.alerts[0])


@pytest.fixture
def other_person_alert(world: Scenario) -> str:
    return str(world.alerts[1])


@pytest.fixture
def oslo_alert(world: Scenario) -> str:
    return str(world.alerts[2])


async def listing(http: httpx.AsyncClient, who: ApiCredentials, **params: Any) -> httpx.Response:
    return await http.get("/v1/privacy/access-log", params=params, headers=who.headers)


async def lookup(http: httpx.AsyncClient, who: ApiCredentials, **body: Any) -> httpx.Response:
    body = {"national_id": NATIONAL_ID, "reason": INNSYN, **body}
    return await http.post("/v1/privacy/access-log/person", json=body, headers=who.headers)


async def test_entries_by_alert(
    http: httpx.AsyncClient, world: Scenario, state: AppState, alert: str
) -> None:
    response = await listing(http, await privacy_officer(world), alert_id=alert)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["next_after"] is None
    [entry] = page["entries"]
    assert entry["alert_id"] == alert
    assert entry["actor_kind"] == "api_client"
    assert entry["actor_id"] == (await case_system(world)).client_id
    assert entry["municipality"] == "3107"
    assert entry["categories"] == sorted(c.value for c in DataCategory)
    assert (entry["legal_basis"], entry["reason"], entry["channel"]) == ("hpl_25", REASON, "api")
    assert "national_id_hash" not in entry
    # Listing shows no personal data, so it is not itself logged.
    assert len(await log_rows(state)) == 3


async def test_another_municipalitys_alert_is_not_found(
    http: httpx.AsyncClient, world: Scenario, oslo_alert: str
) -> None:
    assert_problem(await listing(http, await privacy_officer(world), alert_id=oslo_alert), 404)


async def test_entries_by_actor_only_in_the_officers_municipalities(
    http: httpx.AsyncClient, world: Scenario, alert: str, other_person_alert: str
) -> None:
    mine = (
        await listing(
            http, await privacy_officer(world), actor_id=(await case_system(world)).client_id
        )
    ).json()
    assert [e["alert_id"] for e in mine["entries"]] == [alert, other_person_alert]
    oslo = await listing(
        http, await privacy_officer(world), actor_id=(await case_system(world, OSLO)).client_id
    )
    assert oslo.json()["entries"] == []


async def test_pages_follow_the_entry_ids(
    http: httpx.AsyncClient, world: Scenario, alert: str, other_person_alert: str
) -> None:
    actor = (await case_system(world)).client_id
    first = (await listing(http, await privacy_officer(world), actor_id=actor, limit=1)).json()
    assert [e["alert_id"] for e in first["entries"]] == [alert]
    assert first["next_after"] == first["entries"][0]["id"]
    second = (
        await listing(
            http, await privacy_officer(world), actor_id=actor, limit=1, after=first["next_after"]
        )
    ).json()
    assert [e["alert_id"] for e in second["entries"]] == [other_person_alert]
    third = (
        await listing(
            http, await privacy_officer(world), actor_id=actor, limit=1, after=second["next_after"]
        )
    ).json()
    assert third == {"entries": [], "next_after": None}


@pytest.mark.parametrize("params", [{}, {"alert_id": "x", "actor_id": "y"}])
async def test_a_listing_needs_exactly_one_filter(
    http: httpx.AsyncClient, world: Scenario, params: dict[str, str], alert: str
) -> None:
    if "alert_id" in params:
        params["alert_id"] = alert
    assert_problem(await listing(http, await privacy_officer(world), **params), 422)


async def test_entries_by_person_through_the_hash_and_the_lookup_is_logged(
    http: httpx.AsyncClient, world: Scenario, state: AppState, alert: str
) -> None:
    response = await lookup(http, await privacy_officer(world), national_id="240577 10035")
    assert response.status_code == 200, response.text
    assert [e["alert_id"] for e in response.json()["entries"]] == [alert]

    rows = await log_rows(state)
    assert len(rows) == 4
    written = rows[-1]
    assert written["alert_id"] is None
    assert written["national_id_hash"] == state.hasher.national_id(NATIONAL_ID)
    assert (written["legal_basis"], written["reason"]) == ("innsyn", INNSYN)
    assert written["actor_id"] == (await privacy_officer(world)).client_id
    assert written["municipality_code"] == "3107"

    # The next lookup shows the person that they were looked up, and by whom.
    again = (await lookup(http, await privacy_officer(world))).json()["entries"]
    assert [(e["alert_id"], e["legal_basis"]) for e in again] == [
        (alert, "hpl_25"),
        (None, "innsyn"),
    ]


async def test_a_person_lookup_stays_in_the_officers_municipality(
    factory: Factory, http: httpx.AsyncClient, world: Scenario, oslo_alert: str
) -> None:
    oslo_officer = await factory.api_client(municipalities=("0301",), scopes=(Scope.PRIVACY_READ,))
    found = (await lookup(http, oslo_officer)).json()["entries"]
    assert [e["alert_id"] for e in found] == [oslo_alert]
    assert_problem(await lookup(http, await privacy_officer(world), municipality="0301"), 403)


async def test_an_officer_of_several_municipalities_names_one(
    factory: Factory, http: httpx.AsyncClient, world: Scenario, oslo_alert: str
) -> None:
    both = await factory.api_client(municipalities=("3107", "0301"), scopes=(Scope.PRIVACY_READ,))
    assert_problem(await lookup(http, both), 422)
    found = (await lookup(http, both, municipality="0301")).json()["entries"]
    assert [e["alert_id"] for e in found] == [oslo_alert]


@pytest.mark.parametrize(
    "body",
    [
        {"national_id": INVALID_NATIONAL_ID},
        {"national_id": "not a number"},
        {"reason": ""},
        {"reason": None},
        {"national_id": None},
        {"extra": 1},
    ],
)
async def test_an_invalid_lookup_is_refused_unlogged(
    http: httpx.AsyncClient, world: Scenario, state: AppState, body: dict[str, Any]
) -> None:
    problem = assert_problem(await lookup(http, await privacy_officer(world), **body), 422)
    assert INVALID_NATIONAL_ID not in str(problem)
    assert len(await log_rows(state)) == 3


async def test_the_privacy_api_needs_its_scope(
    http: httpx.AsyncClient, world: Scenario, alert: str
) -> None:
    assert_problem(await listing(http, await case_system(world), alert_id=alert), 403)
    assert_problem(await lookup(http, await world.client()), 403)
    assert_problem(await http.get("/v1/privacy/access-log", params={"actor_id": "x"}), 401)
