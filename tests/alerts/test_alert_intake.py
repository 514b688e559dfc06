"""POST /v1/alerts and GET /v1/alerts/{id}."""

from __future__ import annotations

import asyncio
import copy
import json
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.alerts import sealing
from app.alerts.models import Alert
from app.alerts.schemas.examples import ALERT_V1_EXAMPLE
from app.state import AppState
from tests.factories import ApiCredentials, Factory, alert_body, count_alerts
from tests.problems import assert_problem

REQUIRED = ["dispatch_incident_id", "occurred_at", "municipality", "kind"]


@pytest.fixture
async def amk(factory: Factory) -> ApiCredentials:
    return await factory.api_client(municipalities=("3107", "0301"))


async def test_alert_is_received(http: httpx.AsyncClient, amk: ApiCredentials, state: AppState):
    body = alert_body()
    response = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert response.status_code == 201, response.text
    alert = response.json()
    assert response.headers["location"] == f"/v1/alerts/{alert['id']}"
    assert alert["status"] == "received"
    assert alert["dispatch_incident_id"] == body["dispatch_incident_id"]
    assert alert["municipality"] == "3107"
    assert alert["consent_state"] == "not_asked"
    assert alert["received_at"] == "2026-11-23T12:00:00Z"
    assert alert["dropped_fields"] == []
    assert await count_alerts(state) == 1

    status = await http.get(response.headers["location"], headers=amk.headers)
    assert status.status_code == 200
    assert status.json() == alert


async def test_minimal_alert_with_only_required_fields(
    http: httpx.AsyncClient, amk: ApiCredentials
):
    body = {k: alert_body()[k] for k in REQUIRED}
    response = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert response.status_code == 201
    assert response.json()["dropped_fields"] == []


@pytest.mark.parametrize("field", REQUIRED)
async def test_each_missing_required_field_is_a_422(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState, field: str
):
    body = alert_body()
    del body[field]
    problem = assert_problem(await http.post("/v1/alerts", json=body, headers=amk.headers), 422)
    assert problem["errors"] == [{"field": field, "reason": "Field required"}]
    assert await count_alerts(state) == 0


MALFORMED = [
    ("dispatch_incident_id", ""),
    ("dispatch_incident_id", "has spaces in it"),
    ("dispatch_incident_id", "x" * 101),
    ("dispatch_incident_id", 12345),
    ("occurred_at", "yesterday"),
    ("occurred_at", "2026-11-22T23:41:00"),  # no offset: ambiguous, refused
    ("occurred_at", None),
    ("municipality", "301"),
    ("municipality", "03011"),
    ("municipality", 3107),
    ("municipality", "Oslo"),
    ("kind", "maybe"),
    ("kind", None),
]


@pytest.mark.parametrize(("field", "value"), MALFORMED)
async def test_each_malformed_required_field_is_a_422(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState, field: str, value: Any
):
    body = alert_body(**{field: value})
    problem = assert_problem(await http.post("/v1/alerts", json=body, headers=amk.headers), 422)
    assert [e["field"] for e in problem["errors"]] == [field]
    assert problem["detail"] and field in str(problem["detail"])
    assert await count_alerts(state) == 0


async def test_a_required_error_is_reported_without_the_optional_ones(
    http: httpx.AsyncClient, amk: ApiCredentials
):
    body = alert_body(kind="maybe")
    body["person"]["national_id"] = "01010750161"
    problem = assert_problem(await http.post("/v1/alerts", json=body, headers=amk.headers), 422)
    assert [e["field"] for e in problem["errors"]] == ["kind"]


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[]", b'"a string"', b"{", b"null"],
)
async def test_a_body_that_is_no_json_object_is_a_422(
    http: httpx.AsyncClient, amk: ApiCredentials, raw: bytes
):
    headers = {**amk.headers, "Content-Type": "application/json"}
    assert_problem(await http.post("/v1/alerts", content=raw, headers=headers), 422)


DROPPED = [
    ("person", "national_id", "01010750161", "second check digit is wrong"),
    ("person", "national_id", "0101075016", "must be 11 digits"),
    ("person", "national_id", "30029612389", "the date of birth in the number does not exist"),
    ("person", "phone", "12", "not a valid phone number"),
    ("person", "phone", "call me", "not a phone number"),
    ("person", "birth_year", 1850, "Input should be greater than or equal to 1900"),
    ("person", "sex", "unknown-value", "Input should be 'female', 'male' or 'other'"),
    ("person", "shoe_size", 44, "unknown field"),
    ("place", "latitude", 123.0, "Input should be less than or equal to 90"),
    ("clinical", "naloxone_doses", -1, "Input should be greater than or equal to 0"),
    ("clinical", "outcome", "went home", None),
    ("reporter", "callback_phone", "000", "not a valid phone number"),
]


@pytest.mark.parametrize(("section", "field", "value", "reason"), DROPPED)
async def test_invalid_optional_field_is_dropped_and_reported(
    http: httpx.AsyncClient,
    amk: ApiCredentials,
    state: AppState,
    section: str,
    field: str,
    value: Any,
    reason: str | None,
):
    body = alert_body()
    body.setdefault(section, {})[field] = value
    response = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert response.status_code == 201, response.text
    dropped = response.json()["dropped_fields"]
    assert [d["field"] for d in dropped] == [f"{section}.{field}"]
    if reason:
        assert dropped[0]["reason"] == reason
    assert str(value) not in dropped[0]["reason"]
    assert await count_alerts(state) == 1


async def test_a_wrong_national_id_is_not_stored(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
):
    body = alert_body()
    body["person"]["national_id"] = "01010750161"
    assert (await http.post("/v1/alerts", json=body, headers=amk.headers)).status_code == 201
    async with state.engine.connect() as connection:
        row = (
            await connection.execute(
                text("SELECT id, identity_sealed, national_id_hash FROM alert")
            )
        ).one()
    alert_id = uuid.UUID(str(row.id)) if not isinstance(row.id, uuid.UUID) else row.id
    identity = json.loads(
        state.cipher.open(row.identity_sealed, context=f"alert:{alert_id}:identity")
    )
    assert identity == {"person.name": body["person"]["name"]}
    assert row.national_id_hash is None


async def test_bad_items_in_a_list_are_dropped_one_by_one(
    http: httpx.AsyncClient, amk: ApiCredentials
):
    body = alert_body()
    body["clinical"]["substances"] = ["heroin", "crack-ish", "ghb"]
    response = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert response.status_code == 201
    assert [d["field"] for d in response.json()["dropped_fields"]] == ["clinical.substances.1"]


async def test_a_section_that_is_not_an_object_is_dropped(
    http: httpx.AsyncClient, amk: ApiCredentials
):
    response = await http.post(
        "/v1/alerts", json=alert_body(person="Ola Nordmann", extra_field=1), headers=amk.headers
    )
    assert response.status_code == 201
    dropped = {d["field"]: d["reason"] for d in response.json()["dropped_fields"]}
    assert set(dropped) == {"person", "extra_field"}
    assert dropped["extra_field"] == "unknown field"


async def test_an_unreadable_consent_is_treated_as_objected(
    http: httpx.AsyncClient, amk: ApiCredentials
):
    body = alert_body(consent={"state": "maybe"})
    response = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert response.status_code == 201
    alert = response.json()
    assert alert["consent_state"] == "objected"
    assert alert["dropped_fields"][0]["field"] == "consent"
    assert "treated as objected" in alert["dropped_fields"][0]["reason"]


async def test_unknown_municipality_is_not_delivered(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
):
    body = alert_body(municipality="9999")
    problem = assert_problem(await http.post("/v1/alerts", json=body, headers=amk.headers), 422)
    assert "NOT delivered" in str(problem["detail"]) and "9999" in str(problem["detail"])
    assert await count_alerts(state) == 0


async def test_municipality_the_client_may_not_report_for(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
):
    body = alert_body(municipality="1103")  # served, but not bound to this client
    problem = assert_problem(await http.post("/v1/alerts", json=body, headers=amk.headers), 403)
    assert "NOT delivered" in str(problem["detail"])
    assert await count_alerts(state) == 0


async def test_a_retry_returns_the_same_alert(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
):
    body = alert_body()
    body["person"]["phone"] = "not a number"
    first = await http.post("/v1/alerts", json=body, headers=amk.headers)
    retry = await http.post("/v1/alerts", json=copy.deepcopy(body), headers=amk.headers)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    assert retry.headers["location"] == first.headers["location"]
    assert await count_alerts(state) == 1


async def test_same_incident_id_with_other_content_is_a_conflict(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
):
    body = alert_body()
    first = await http.post("/v1/alerts", json=body, headers=amk.headers)
    changed = {**body, "clinical": {**body["clinical"], "outcome": "transported"}}
    problem = assert_problem(await http.post("/v1/alerts", json=changed, headers=amk.headers), 409)
    assert problem["alert_id"] == first.json()["id"]
    assert problem["supplements"] == f"/v1/alerts/{first.json()['id']}/supplements"
    assert "supplement" in problem["detail"]
    assert await count_alerts(state) == 1


async def test_twenty_concurrent_retries_make_exactly_one_alert(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
):
    body = alert_body()
    responses = await asyncio.gather(
        *(http.post("/v1/alerts", json=body, headers=amk.headers) for _ in range(20))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 19 + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert await count_alerts(state) == 1


async def test_two_clients_may_use_the_same_incident_id(
    factory: Factory, http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
):
    other = await factory.api_client()
    body = alert_body()
    assert (await http.post("/v1/alerts", json=body, headers=amk.headers)).status_code == 201
    assert (await http.post("/v1/alerts", json=body, headers=other.headers)).status_code == 201
    assert await count_alerts(state) == 2


async def test_another_client_cannot_read_the_alert(
    factory: Factory, http: httpx.AsyncClient, amk: ApiCredentials
):
    other = await factory.api_client()
    created = await http.post("/v1/alerts", json=alert_body(), headers=amk.headers)
    location = created.headers["location"]
    assert (await http.get(location, headers=amk.headers)).status_code == 200
    assert_problem(await http.get(location, headers=other.headers), 404)


async def test_unknown_and_malformed_alert_ids(http: httpx.AsyncClient, amk: ApiCredentials):
    missing = "/v1/alerts/00000000-0000-4000-8000-000000000000"
    assert_problem(await http.get(missing, headers=amk.headers), 404)
    problem = assert_problem(await http.get("/v1/alerts/not-a-uuid", headers=amk.headers), 422)
    assert problem["errors"][0]["field"] == "alert_id"


async def test_a_body_over_the_limit_is_refused(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
):
    body = alert_body()
    body["place"] = {"description": "x" * 70_000}
    assert_problem(await http.post("/v1/alerts", json=body, headers=amk.headers), 413)
    assert await count_alerts(state) == 0


async def test_unknown_route_and_wrong_method_are_problems(http: httpx.AsyncClient):
    assert_problem(await http.get("/v1/nothing-here"), 404)
    assert_problem(await http.delete("/v1/alerts"), 405)


async def test_a_first_version_alert_is_still_accepted_and_read_as_version_2(
    http: httpx.AsyncClient, factory: Factory, amk: ApiCredentials, state: AppState
) -> None:
    body = {**copy.deepcopy(ALERT_V1_EXAMPLE), "dispatch_incident_id": "AMK-V1-000001"}
    body["consent"] = {"state": "consented", "categories": ["clinical", "situation"]}
    response = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert response.status_code == 201, response.text
    dropped = {d["field"] for d in response.json()["dropped_fields"]}
    assert not dropped & {"clinical.substances", "place.type", "clinical.naloxone_given"}
    async with state.sessions() as session:
        alert = await session.get(Alert, uuid.UUID(response.json()["id"]))
        assert alert is not None
        values = sealing.all_personal_values(state.cipher, alert)
    assert alert.consent_categories == ["acute_risk", "substances", "situation"]
    assert values["clinical.substances"] == ["other_opioid"]
    assert values["place.type"] == "outdoors"
    assert (values["naloxone.given"], values["naloxone.doses"]) == (True, 2)
    assert "clinical.naloxone_given" not in values
