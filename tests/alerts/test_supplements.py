"""Supplements: a later consent, the outcome, a correction, as new versions of the alert.

Raw tables are read after each step: a narrowed consent must leave nothing behind, in the alert
row or in the history of earlier versions.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.alerts import sealing
from app.alerts.models import Alert
from app.state import AppState
from tests.factories import ApiCredentials, Factory, alert_body
from tests.personal_data import NAME, NATIONAL_ID, alert_row, personal_body, raw_rows
from tests.problems import assert_problem
from tests.scenario import Scenario


@pytest.fixture
async def amk(factory: Factory) -> ApiCredentials:
    return await factory.api_client()


async def supplement(
    http: httpx.AsyncClient, amk: ApiCredentials, alert_id: str, body: dict[str, Any]
) -> httpx.Response:
    return await http.post(f"/v1/alerts/{alert_id}/supplements", json=body, headers=amk.headers)


async def status_of(http: httpx.AsyncClient, amk: ApiCredentials, alert_id: str) -> Any:
    response = await http.get(f"/v1/alerts/{alert_id}", headers=amk.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def history(state: AppState, alert_id: str) -> list[dict[str, Any]]:
    """Each version's replaced values, opened as an auditor with the keys would."""
    async with state.sessions() as session:
        alert = await session.get(Alert, uuid.UUID(alert_id))
        assert alert is not None
        rows = (
            await session.execute(
                text("SELECT version, replaced_sealed FROM alert_version WHERE alert_id = :id"),
                {"id": alert.id if state.engine.dialect.name == "postgresql" else alert.id.hex},
            )
        ).all()
    return [
        sealing.open_history(state.cipher, alert_id=alert.id, version=v, token=token)
        for v, token in sorted(rows)
    ]


async def test_a_later_consent_is_a_new_version_in_the_timeline(
    http: httpx.AsyncClient, factory: Factory, amk: ApiCredentials, state: AppState
) -> None:
    alert_id = await factory.post_alert(amk, personal_body())
    response = await supplement(
        http,
        amk,
        alert_id,
        {"supplement_id": "S-1", "consent": {"state": "consented", "recipients": ["relatives"]}},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["version"], body["changed"], body["purged"]) == (2, ["consent"], [])
    status = await status_of(http, amk, alert_id)
    assert (status["version"], status["consent_state"]) == (2, "consented")
    [event] = [e for e in status["timeline"] if e["kind"] == "supplemented"]
    assert (event["version"], event["consent_state"], event["changed"]) == (
        2,
        "consented",
        ["consent"],
    )
    row = await alert_row(state, alert_id)
    assert row["identity_sealed"] is not None  # nothing was lost by consenting
    assert await count(state, "alert") == 1, "no second alert"


async def test_an_objection_later_purges_at_once_and_from_the_history(
    http: httpx.AsyncClient, factory: Factory, amk: ApiCredentials, state: AppState
) -> None:
    alert_id = await factory.post_alert(amk, personal_body())
    corrected = await supplement(http, amk, alert_id, {"person": {"name": "Kari Nordkvinne-Dahl"}})
    assert corrected.status_code == 201, corrected.text
    assert (await history(state, alert_id))[0] == {"person.name": NAME}, "the old name is kept"

    response = await supplement(http, amk, alert_id, {"consent": {"state": "objected"}})
    assert response.status_code == 201, response.text
    assert response.json()["purged"] == [
        "acute_risk",
        "bystanders",
        "contact",
        "identity",
        "place",
        "situation",
        "substances",
    ]
    row = await alert_row(state, alert_id)
    # Alone in its municipality's year, the outcome and age band would single the person
    # out: the group rule drops them too (docs/rules.md, "Objected alerts: what is kept").
    for column in (*sealing.SEALED_COLUMNS.values(), "reporter_sealed", "age_band"):
        assert row[column] is None, column
    assert row["dispatch_incident_sealed"] is None
    assert row["national_id_hash"] is None
    assert await history(state, alert_id) == [{}, {}]
    dump = "\n".join(f"{table} {r}" for table, r in await raw_rows(state) if table != "alert_event")
    for value in (NAME, "Nordkvinne-Dahl", NATIONAL_ID, state.hasher.national_id(NATIONAL_ID)):
        assert value not in dump
    status = await status_of(http, amk, alert_id)
    assert [e["purged"] for e in status["timeline"] if e["kind"] == "supplemented"][-1] == (
        response.json()["purged"]
    )


async def test_a_widened_consent_lets_later_data_in(
    http: httpx.AsyncClient, factory: Factory, amk: ApiCredentials, state: AppState
) -> None:
    alert_id = await factory.post_alert(amk, personal_body(consent={"state": "objected"}))
    assert (await alert_row(state, alert_id))["identity_sealed"] is None
    response = await supplement(
        http,
        amk,
        alert_id,
        {"consent": {"state": "consented"}, "person": {"name": NAME, "national_id": NATIONAL_ID}},
    )
    assert response.status_code == 201, response.text
    row = await alert_row(state, alert_id)
    assert row["identity_sealed"] is not None
    assert row["national_id_hash"] == state.hasher.national_id(NATIONAL_ID)


async def test_data_a_supplement_brings_under_a_narrow_consent_is_not_stored(
    http: httpx.AsyncClient, factory: Factory, amk: ApiCredentials, state: AppState
) -> None:
    consent = {"state": "consented", "categories": ["contact"]}
    alert_id = await factory.post_alert(amk, personal_body(consent=consent))
    response = await supplement(http, amk, alert_id, {"person": {"name": "Someone"}})
    assert response.status_code == 201
    assert [d["field"] for d in response.json()["dropped_fields"]] == ["person.name"]
    assert (await alert_row(state, alert_id))["identity_sealed"] is None


async def test_a_retried_supplement_is_applied_once(
    http: httpx.AsyncClient, factory: Factory, amk: ApiCredentials, state: AppState
) -> None:
    alert_id = await factory.post_alert(amk, alert_body())
    body = {"supplement_id": "S-7", "clinical": {"outcome": "transported"}}
    first = await supplement(http, amk, alert_id, body)
    again = await supplement(http, amk, alert_id, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["version"] == first.json()["version"] == 2
    changed = {**body, "clinical": {"outcome": "left_at_scene"}}
    problem = assert_problem(await supplement(http, amk, alert_id, changed), 409)
    assert problem["version"] == 2
    assert await count(state, "alert_version") == 1


async def test_only_the_sender_may_supplement(
    http: httpx.AsyncClient, factory: Factory, amk: ApiCredentials
) -> None:
    alert_id = await factory.post_alert(amk, alert_body())
    other = await factory.api_client()
    assert_problem(await supplement(http, other, alert_id, {"kind": "fatal"}), 404)
    assert_problem(await supplement(http, amk, str(uuid.uuid4()), {"kind": "fatal"}), 404)


async def test_contradictions_and_the_police_are_refused(
    http: httpx.AsyncClient, factory: Factory, amk: ApiCredentials, state: AppState
) -> None:
    alert_id = await factory.post_alert(amk, alert_body())  # outcome declined_transport
    problem = assert_problem(await supplement(http, amk, alert_id, {"kind": "fatal"}), 422)
    assert problem["errors"][0]["field"] == "clinical.outcome"
    police = {"consent": {"state": "consented", "recipients": ["police"]}}
    problem = assert_problem(await supplement(http, amk, alert_id, police), 422)
    assert "hpl § 31" in problem["errors"][0]["reason"]
    assert await count(state, "alert_version") == 0
    assert (await status_of(http, amk, alert_id))["version"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "dead"}, "kind"),
        ({"kind": 1, "clinical": {"outcome": "deceased"}}, "kind"),
        ({"supplement_id": "S 1", "clinical": {"outcome": "transported"}}, "supplement_id"),
        ({"supplement_id": 7, "clinical": {"outcome": "transported"}}, "supplement_id"),
    ],
)
async def test_an_invalid_kind_or_supplement_id_is_refused_not_ignored(
    http: httpx.AsyncClient,
    factory: Factory,
    amk: ApiCredentials,
    state: AppState,
    body: dict[str, Any],
    field: str,
) -> None:
    """Dropped, an odd kind left the correction unmade (a version with nothing changed) and
    an odd id made a retry a second version: both are refused and nothing is stored."""
    alert_id = await factory.post_alert(amk, alert_body())
    problem = assert_problem(await supplement(http, amk, alert_id, body), 422)
    assert [e["field"] for e in problem["errors"]] == [field]
    assert await count(state, "alert_version") == 0
    assert (await status_of(http, amk, alert_id))["version"] == 1


async def test_other_odd_optional_values_of_a_supplement_are_dropped_and_listed(
    http: httpx.AsyncClient, factory: Factory, amk: ApiCredentials
) -> None:
    alert_id = await factory.post_alert(amk, alert_body())
    body = {"clinical": {"outcome": "transported", "observed_two_hours": 0}, "shoe_size": 44}
    response = await supplement(http, amk, alert_id, body)
    assert response.status_code == 201, response.text
    assert response.json()["changed"] == ["clinical.outcome"]
    dropped = sorted(d["field"] for d in response.json()["dropped_fields"])
    assert dropped == ["clinical.observed_two_hours", "shoe_size"]


async def test_a_death_later_makes_it_a_fatal_alert_for_the_leader(
    http: httpx.AsyncClient, factory: Factory, amk: ApiCredentials
) -> None:
    alert_id = await factory.post_alert(amk, alert_body())
    response = await supplement(
        http, amk, alert_id, {"kind": "fatal", "clinical": {"outcome": "deceased"}}
    )
    assert response.status_code == 201, response.text
    alert = response.json()["alert"]
    assert (alert["kind"], alert["triage"]["action"]) == ("fatal", "fatal")
    assert [e["action"] for e in alert["timeline"] if e["kind"] == "triaged"] == [
        "page_now",
        "fatal",
    ]


async def test_an_objection_stops_paging_nobody_has_acted_on(
    http: httpx.AsyncClient,
    factory: Factory,
    amk: ApiCredentials,
    state: AppState,
    scenario: Scenario,
) -> None:
    alert_id = await factory.post_alert(amk, alert_body())
    response = await supplement(http, amk, alert_id, {"consent": {"state": "objected"}})
    assert response.status_code == 201
    alert = response.json()["alert"]
    assert alert["triage"]["action"] == "no_page"
    assert alert["next_step_due_at"] is None
    assert "stopped" in [e["kind"] for e in alert["timeline"]]
    await scenario.settle()
    assert await count(state, "outbox_message") == 0, "nobody was paged"


async def count(state: AppState, table: str) -> int:
    async with state.engine.connect() as connection:
        return int((await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


async def test_a_national_id_given_later_gives_the_age_band(
    http: httpx.AsyncClient, factory: Factory, amk: ApiCredentials, state: AppState
) -> None:
    body = alert_body()
    del body["person"]
    alert_id = await factory.post_alert(amk, body)
    assert (await alert_row(state, alert_id))["age_band"] is None
    response = await supplement(http, amk, alert_id, {"person": {"national_id": NATIONAL_ID}})
    assert response.status_code == 201
    row = await alert_row(state, alert_id)
    assert (row["age_band"], row["national_id_hash"]) == (
        "adult",
        state.hasher.national_id(NATIONAL_ID),
    )
