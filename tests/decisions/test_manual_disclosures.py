"""Manual, recorded disclosures through the API: recorded, logged once, inform duty opened."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from app.clock import FakeClock
from app.state import AppState
from tests.factories import ApiCredentials, Factory
from tests.migrations.test_migration_0006 import as_uuid, rows
from tests.personal_data import (
    INVALID_NATIONAL_ID,
    NATIONAL_ID,
    case_system,
    decoded,
    log_rows,
    personal_body,
    privacy_officer,
)
from tests.problems import assert_problem
from tests.scenario import Scenario

REASON = "Personen forlot stedet sterkt ruspåvirket; melding om savnet person til politiet."
NOT_TOLD = "Personen er ikke funnet ennå; informeres når vedkommende er funnet."


FREDRIKSTAD, OSLO = ("3107",), ("0301",)


@pytest.fixture
async def world(scenario: Scenario) -> Scenario:
    """An alert about the person, from an AMK that sends to Fredrikstad and Oslo."""
    scenario.municipalities = FREDRIKSTAD + OSLO
    await scenario.alert(body=personal_body())
    return scenario


@pytest.fixture
def alert(world: Scenario) -> str:
    return str(world.alerts[0])


def decision(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "recipient": "police",
        "basis": "hpl_31",
        "decided_by": {"name": "Kari Solberg", "role": "leder"},
        "reason": REASON,
        "shared_categories": ["place", "identity", "acute_risk"],
        "not_informed_reason": NOT_TOLD,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


async def post(
    http: httpx.AsyncClient, who: ApiCredentials, alert_id: str, body: dict[str, Any]
) -> httpx.Response:
    url = f"/v1/alerts/{alert_id}/manual-disclosures"
    return await http.post(url, json=body, headers=who.headers)


async def listed(http: httpx.AsyncClient, who: ApiCredentials, alert_id: str) -> httpx.Response:
    return await http.get(f"/v1/alerts/{alert_id}/manual-disclosures", headers=who.headers)


async def written(state: AppState) -> tuple[int, int, int]:
    """Rows in the access log, manual_decision and inform_duty (read from the tables)."""
    counts = [
        len(await rows(state, f"SELECT id FROM {table}"))
        for table in ("access_log_entry", "manual_decision", "inform_duty")
    ]
    return counts[0], counts[1], counts[2]


async def test_a_police_decision_is_recorded_logged_once_and_opens_an_inform_duty(
    http: httpx.AsyncClient, world: Scenario, state: AppState, clock: FakeClock, alert: str
) -> None:
    clock.advance(timedelta(minutes=40))
    logged_before = len(await log_rows(state))
    response = await post(http, await case_system(world), alert, decision())
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["alert_id"] == alert
    assert datetime.fromisoformat(made["decided_at"]) == clock.now()
    assert (made["recipient"], made["basis"], made["attestations"]) == ("police", "hpl_31", [])
    assert made["decided_by"] == {"name": "Kari Solberg", "role": "leder"}
    assert made["reason"] == REASON
    assert made["shared_categories"] == ["acute_risk", "identity", "place"]

    entries = await log_rows(state)
    assert len(entries) == logged_before + 1, "one access-log entry per decision"
    entry = entries[-1]
    assert made["access_log_entry_id"] == entry["id"]
    assert (entry["actor_kind"], entry["actor_id"]) == ("staff", "manual:Kari Solberg")
    assert (entry["legal_basis"], entry["channel"]) == ("hpl_31", "api")
    assert decoded(entry["categories"]) == ["acute_risk", "identity", "place"]
    assert entry["reason"] == f"Utlevert til politiet: {REASON}"
    assert entry["municipality_code"] == "3107"
    assert as_uuid(entry["alert_id"]) == uuid.UUID(alert)
    assert entry["national_id_hash"] == state.hasher.national_id(NATIONAL_ID)

    duty = made["inform_duty"]
    assert (duty["trigger"], duty["decision_id"], duty["recipient"]) == (
        "manual_decision",
        made["id"],
        "police",
    )
    assert duty["categories"] == made["shared_categories"]
    assert (duty["recorded"], duty["informed_by"], duty["not_informed_reason"]) == (
        True,
        None,
        NOT_TOLD,
    )
    assert duty["recorded_by"] == "Kari Solberg (leder)"
    assert datetime.fromisoformat(duty["recorded_at"]) == clock.now()

    assert (await listed(http, await case_system(world), alert)).json() == [made]
    duties = await http.get(
        f"/v1/alerts/{alert}/inform-duties", headers=(await case_system(world)).headers
    )
    assert [d for d in duties.json() if d["trigger"] == "manual_decision"] == [duty]


async def test_the_privacy_officer_and_the_person_see_the_decision(
    http: httpx.AsyncClient, world: Scenario, alert: str
) -> None:
    made = (await post(http, await case_system(world), alert, decision())).json()
    page = await http.get(
        "/v1/privacy/access-log",
        params={"alert_id": alert},
        headers=(await privacy_officer(world)).headers,
    )
    assert page.status_code == 200, page.text
    [entry] = [e for e in page.json()["entries"] if e["id"] == made["access_log_entry_id"]]
    assert (entry["legal_basis"], entry["actor_kind"]) == ("hpl_31", "staff")
    by_actor = await http.get(
        "/v1/privacy/access-log",
        params={"actor_id": "manual:Kari Solberg"},
        headers=(await privacy_officer(world)).headers,
    )
    assert [e["id"] for e in by_actor.json()["entries"]] == [made["access_log_entry_id"]]
    person = await http.post(
        "/v1/privacy/access-log/person",
        json={"national_id": NATIONAL_ID, "reason": "Innsynsbegjæring 2026/17"},
        headers=(await privacy_officer(world)).headers,
    )
    assert person.status_code == 200, person.text
    found = [e for e in person.json()["entries"] if e["id"] == made["access_log_entry_id"]]
    assert found[0]["reason"].startswith("Utlevert til politiet: ")


ALLOWED = [
    ("police", "hpl_31", {}),
    ("police", "hpl_23_4", {}),
    ("child_welfare", "hpl_33", {}),
    ("relatives", "pbrl_3_3", {"person_cannot_consent": True}),
    ("relatives", "hpl_23_1", {"only_known_facts": True, "person_cannot_consent": False}),
    ("municipal_health_service", "hpl_32", {"injury_overwhelmingly_likely": True}),
]


@pytest.mark.parametrize(("recipient", "basis", "attestations"), ALLOWED)
async def test_each_allowed_basis_is_recorded_with_its_basis(
    http: httpx.AsyncClient,
    world: Scenario,
    state: AppState,
    recipient: str,
    basis: str,
    attestations: dict[str, bool],
    alert: str,
) -> None:
    body = decision(
        recipient=recipient,
        basis=basis,
        attestations=attestations,
        shared_categories=["identity"],
        not_informed_reason=None,
        informed_by="Ingrid Haugen",
    )
    response = await post(http, await case_system(world), alert, body)
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["attestations"] == [k for k, v in attestations.items() if v]
    assert made["inform_duty"]["informed_by"] == "Ingrid Haugen"
    assert made["inform_duty"]["not_informed_reason"] is None
    [(legal_basis, recorded)] = await rows(
        state,
        "SELECT e.legal_basis, d.basis FROM manual_decision d "
        "JOIN access_log_entry e ON e.id = d.access_log_entry_id",
    )
    assert legal_basis == recorded == basis


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"basis": "hpl_33"}, ["basis"]),
        ({"recipient": "child_welfare"}, ["basis"]),
        ({"recipient": "relatives", "basis": "pbrl_3_3"}, ["attestations.person_cannot_consent"]),
        (
            {
                "recipient": "relatives",
                "basis": "hpl_23_1",
                "attestations": {"only_known_facts": False},
            },
            ["attestations.only_known_facts"],
        ),
        (
            {"recipient": "municipal_health_service", "basis": "hpl_32"},
            ["attestations.injury_overwhelmingly_likely"],
        ),
        ({"attestations": {"person_cannot_consent": True}}, ["attestations.person_cannot_consent"]),
        (
            {
                "recipient": "relatives",
                "basis": "pbrl_3_3",
                "attestations": {"person_cannot_consent": True},
                "shared_categories": ["bystanders"],
            },
            ["shared_categories"],
        ),
        ({"not_informed_reason": None}, ["informed_by"]),
        ({"informed_by": "Ingrid Haugen"}, ["not_informed_reason"]),
        ({"shared_categories": []}, ["shared_categories"]),
        ({"shared_categories": ["clinical"]}, ["shared_categories.0"]),
        ({"recipient": "nav"}, ["recipient"]),
        ({"basis": "consent"}, ["basis"]),
        ({"basis": "hpl_25"}, ["basis"]),
        ({"reason": "ok"}, ["reason"]),
        ({"reason": "x" * 501}, ["reason"]),
        ({"decided_by": {"name": "Kari"}}, ["decided_by.role"]),
        ({"decided_by": {"name": "K" * 101, "role": "leder"}}, ["decided_by.name"]),
        ({"attestations": {"sure": True}}, ["attestations.sure"]),
    ],
)
async def test_what_the_law_does_not_allow_is_refused_and_nothing_written(
    http: httpx.AsyncClient,
    world: Scenario,
    state: AppState,
    changes: dict[str, Any],
    fields: list[str],
    alert: str,
) -> None:
    before = await written(state)
    body = decision()
    body.update(changes)
    response = await post(
        http, await case_system(world), alert, {k: v for k, v in body.items() if v is not None}
    )
    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == fields
    assert all(e["reason"] for e in problem["errors"])
    assert await written(state) == before


async def test_a_refusal_says_why_in_the_law_s_terms(
    http: httpx.AsyncClient, world: Scenario, alert: str
) -> None:
    body = decision(recipient="relatives", basis="pbrl_3_3")
    [error] = assert_problem(await post(http, await case_system(world), alert, body), 422)["errors"]
    assert "pasient- og brukerrettighetsloven § 3-3" in error["reason"]
    assert "cannot consent" in error["reason"]
    body = decision(basis="hpl_33")
    [error] = assert_problem(await post(http, await case_system(world), alert, body), 422)["errors"]
    assert error["reason"].startswith("hpl_33 (helsepersonelloven § 33")
    assert "politiet" in error["reason"] and "hpl_31" in error["reason"]


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("reason", f"Meldt til politiet, fnr {NATIONAL_ID}"),
        ("reason", f"Meldt til politiet, fnr {NATIONAL_ID[:6]} {NATIONAL_ID[6:]}"),
        ("reason", f"Meldt til politiet, fnr {INVALID_NATIONAL_ID}"),
        ("not_informed_reason", f"Ikke funnet: {NATIONAL_ID}"),
    ],
)
async def test_a_national_id_in_the_text_is_refused(
    http: httpx.AsyncClient, world: Scenario, state: AppState, field: str, text: str, alert: str
) -> None:
    before = await written(state)
    response = await post(http, await case_system(world), alert, decision(**{field: text}))
    [error] = assert_problem(response, 422)["errors"]
    assert error["field"] == field
    assert "national id" in error["reason"]
    assert NATIONAL_ID not in response.text and INVALID_NATIONAL_ID not in response.text
    assert await written(state) == before


async def test_a_name_with_a_national_id_is_refused(
    http: httpx.AsyncClient, world: Scenario, alert: str
) -> None:
    body = decision(decided_by={"name": f"Kari {NATIONAL_ID}", "role": "leder"})
    [error] = assert_problem(await post(http, await case_system(world), alert, body), 422)["errors"]
    assert error["field"] == "decided_by.name"


async def test_another_municipality_s_alert_is_not_found(
    http: httpx.AsyncClient, world: Scenario, state: AppState, alert: str
) -> None:
    before = await written(state)
    for alert_id in (alert, str(uuid.uuid4())):
        assert_problem(await post(http, await case_system(world, OSLO), alert_id, decision()), 404)
        assert_problem(await listed(http, await case_system(world, OSLO), alert_id), 404)
    assert_problem(await post(http, await case_system(world), str(uuid.uuid4()), decision()), 404)
    assert await written(state) == before


async def test_the_details_scope_is_needed(
    http: httpx.AsyncClient, world: Scenario, alert: str
) -> None:
    assert_problem(await post(http, await world.client(), alert, decision()), 403)
    assert_problem(await listed(http, await privacy_officer(world), alert), 403)
    anonymous = await http.get(f"/v1/alerts/{alert}/manual-disclosures")
    assert_problem(anonymous, 401)


async def test_an_objected_alert_still_takes_a_decision_without_identity(
    http: httpx.AsyncClient, factory: Factory, world: Scenario, state: AppState
) -> None:
    objected = await factory.post_alert(
        await world.client(), personal_body(consent={"state": "objected"})
    )
    response = await post(http, await case_system(world), objected, decision())
    assert response.status_code == 201, response.text
    entry = (await log_rows(state))[-1]
    assert entry["id"] == response.json()["access_log_entry_id"]
    assert entry["national_id_hash"] is None, "the service holds no identity to link"
    assert entry["legal_basis"] == "hpl_31"
    assert response.json()["inform_duty"]["recorded"] is True


async def test_decisions_are_listed_oldest_first(
    http: httpx.AsyncClient, world: Scenario, clock: FakeClock, alert: str
) -> None:
    assert (await listed(http, await case_system(world), alert)).json() == []
    first = (await post(http, await case_system(world), alert, decision())).json()
    clock.advance(timedelta(minutes=20))
    second_body = decision(recipient="child_welfare", basis="hpl_33", informed_by="Ingrid Haugen")
    del second_body["not_informed_reason"]
    second = (await post(http, await case_system(world), alert, second_body)).json()
    assert (await listed(http, await case_system(world), alert)).json() == [first, second]


async def test_a_long_name_is_cut_in_the_access_log_only(
    http: httpx.AsyncClient, world: Scenario, state: AppState, alert: str
) -> None:
    name = "Kari " + "Solberg-" * 9  # 77 characters: fits the decision, not the actor id
    body = decision(decided_by={"name": name, "role": "leder"})
    made = (await post(http, await case_system(world), alert, body)).json()
    assert made["decided_by"]["name"] == name.strip()
    entry = (await log_rows(state))[-1]
    assert entry["actor_id"] == ("manual:" + name.strip())[:64]
