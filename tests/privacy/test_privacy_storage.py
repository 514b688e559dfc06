"""Personal data at rest: minimised to what somebody may see, sealed, hashed, unreadable in a
raw dump (on both databases)."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import httpx
import pytest

from app.alerts.group_rule import REFUSED_BY_GROUP_RULE
from app.alerts.minimise import ANONYMOUS_REASON, minimise, not_kept_reason
from app.alerts.schemas.alert_in import AlertIn
from app.alerts.sealing import SEALED_COLUMNS
from app.auth.scopes import Scope
from app.consent.enums import DataCategory
from app.consent.fields import CATEGORY_OF, fields_in
from app.state import AppState
from tests.factories import ApiCredentials, Factory, alert_body
from tests.personal_data import (
    DRUG,
    INVALID_NATIONAL_ID,
    NAME,
    NATIONAL_ID,
    PHONE_E164,
    PLACE,
    RECOGNISABLE,
    WARD,
    alert_row,
    decoded,
    details,
    personal_body,
    raw_rows,
)


@pytest.fixture
async def amk(factory: Factory) -> ApiCredentials:
    return await factory.api_client()


def opened(state: AppState, row: dict[str, Any], category: str) -> dict[str, Any]:
    token = row[f"{category}_sealed"]
    alert_id = uuid.UUID(str(row["id"]))
    value: dict[str, Any] = json.loads(
        state.cipher.open(token, context=f"alert:{alert_id}:{category}")
    )
    return value


async def test_a_database_dump_holds_no_plain_personal_value(
    factory: Factory, amk: ApiCredentials, state: AppState
) -> None:
    marker = await factory.post_alert(amk, personal_body())
    await factory.post_alert(amk, personal_body(consent={"state": "objected"}))
    invalid = personal_body()
    invalid["person"]["national_id"] = INVALID_NATIONAL_ID  # dropped
    await factory.post_alert(amk, invalid)

    rows = await raw_rows(state)
    dump = "\n".join(f"{table} {row}" for table, row in rows)
    # The dump does hold the alerts (so the search below can find something) ...
    assert {table for table, _ in rows} >= {"alert", "api_client", "municipality"}
    assert uuid.UUID(marker).hex in dump.replace("-", "")
    # ... but none of the person's values, in any form.
    for value in RECOGNISABLE:
        assert value not in dump, value


async def test_every_category_is_sealed_on_its_own(
    factory: Factory, amk: ApiCredentials, state: AppState
) -> None:
    alert_id = await factory.post_alert(amk, personal_body())
    row = await alert_row(state, alert_id)
    assert opened(state, row, "identity") == {
        "person.national_id": NATIONAL_ID,
        "person.name": NAME,
        "person.birth_year": 1977,
        "person.sex": "female",
    }
    assert opened(state, row, "contact") == {"person.phone": PHONE_E164}
    assert opened(state, row, "place") == {
        "place.description": PLACE,
        "place.latitude": 59.2181,
        "place.longitude": 10.9298,
        "destination.type": "home_alone",
        "destination.name": WARD,
    }
    assert opened(state, row, "situation") == {
        "person.homeless": True,
        "person.children_in_household": False,
        "place.type": "own_home",
        "scene.others_present": True,
    }
    assert opened(state, row, "substances")["clinical.drug_description"] == DRUG
    assert opened(state, row, "bystanders") == {"scene.relative_called_113": True}
    assert opened(state, row, "acute_risk")["clinical.outcome"] == "declined_transport"
    assert row["national_id_hash"] == state.hasher.national_id(NATIONAL_ID)
    assert row["age_band"] == "adult"  # from the national id, plain: it is counted
    # Bound to the alert and category: a token does not open anywhere else.
    with pytest.raises(Exception, match="does not open"):
        state.cipher.open(row["identity_sealed"], context=f"alert:{alert_id}:contact")
    with pytest.raises(Exception, match="does not open"):
        state.cipher.open(row["identity_sealed"], context=f"alert:{uuid.uuid4()}:identity")


async def test_the_same_person_is_recognised_by_the_hash(
    factory: Factory, amk: ApiCredentials, state: AppState
) -> None:
    first = await factory.post_alert(amk, personal_body())
    spaced = personal_body()
    spaced["person"]["national_id"] = "240577 10035"
    second = await factory.post_alert(amk, spaced)
    hashes = {(await alert_row(state, a))["national_id_hash"] for a in (first, second)}
    assert len(hashes) == 1 and None not in hashes


async def test_an_objection_keeps_only_what_the_anonymous_alert_shows(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
) -> None:
    body = personal_body(consent={"state": "objected"})
    response = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert response.status_code == 201, response.text
    alert = response.json()
    assert alert["consent_state"] == "objected"
    dropped = {d["field"]: d["reason"] for d in alert["dropped_fields"]}
    assert set(dropped) == {
        *(path for path in CATEGORY_OF if _sent(body, path)),
        "person.age_band",
        "reporter.unit",
        "reporter.callback_phone",
    }
    assert dropped["person.name"] == not_kept_reason(DataCategory.IDENTITY)
    assert dropped["clinical.substances"] == not_kept_reason(DataCategory.SUBSTANCES)
    assert dropped["reporter.unit"] == ANONYMOUS_REASON
    assert dropped["clinical.outcome"] == REFUSED_BY_GROUP_RULE, "alone in the year"
    row = await alert_row(state, alert["id"])
    for column in (*SEALED_COLUMNS.values(), "reporter_sealed", "dispatch_incident_sealed"):
        assert row[column] is None, column
    assert row["national_id_hash"] is None
    assert row["age_band"] is None


def _sent(body: dict[str, Any], path: str) -> bool:
    section, _, name = path.partition(".")
    return isinstance(body.get(section), dict) and body[section].get(name) is not None


@pytest.mark.parametrize(
    "categories", [["contact", "place"], ["acute_risk", "substances"], []], ids=str
)
async def test_a_consent_without_identity_leaves_no_national_id_and_no_hash(
    factory: Factory, amk: ApiCredentials, state: AppState, categories: list[str]
) -> None:
    body = personal_body(consent={"state": "consented", "categories": categories})
    alert_id = await factory.post_alert(amk, body)
    row = await alert_row(state, alert_id)
    assert row["identity_sealed"] is None
    assert row["national_id_hash"] is None
    kept = {c for c in DataCategory if row[SEALED_COLUMNS[c]] is not None}
    assert kept == {DataCategory(c) for c in categories}
    dump = "\n".join(f"{table} {r}" for table, r in await raw_rows(state))
    for value in (NATIONAL_ID, NAME, state.hasher.national_id(NATIONAL_ID)):
        assert value not in dump


async def test_an_objection_lists_only_the_fields_that_were_sent(
    http: httpx.AsyncClient, amk: ApiCredentials
) -> None:
    body = alert_body(consent={"state": "objected"}, place={"type": "shelter"})
    body["person"] = {"name": NAME, "national_id": INVALID_NATIONAL_ID}
    del body["clinical"], body["naloxone"], body["severity"], body["scene"], body["destination"]
    response = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert response.status_code == 201
    assert response.json()["dropped_fields"] == [
        {"field": "person.national_id", "reason": "second check digit is wrong"},
        {"field": "person.name", "reason": not_kept_reason(DataCategory.IDENTITY)},
        {"field": "place.type", "reason": not_kept_reason(DataCategory.SITUATION)},
        {"field": "reporter.unit", "reason": ANONYMOUS_REASON},
        {"field": "reporter.callback_phone", "reason": ANONYMOUS_REASON},
    ]


async def test_an_unreadable_consent_drops_the_identifying_fields(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
) -> None:
    response = await http.post(
        "/v1/alerts", json=personal_body(consent={"state": "perhaps"}), headers=amk.headers
    )
    alert = response.json()
    assert alert["consent_state"] == "objected"
    assert "person.national_id" in {d["field"] for d in alert["dropped_fields"]}
    assert (await alert_row(state, alert["id"]))["identity_sealed"] is None


@pytest.mark.parametrize(
    ("consent", "stored"),
    [
        ({"state": "consented", "categories": []}, []),
        ({"state": "consented", "categories": ["contact"]}, ["contact"]),
        ({"state": "consented"}, None),
        ({"state": "not_asked"}, None),
    ],
)
async def test_consent_scope_is_stored_as_given(
    factory: Factory,
    amk: ApiCredentials,
    state: AppState,
    consent: dict[str, Any],
    stored: list[str] | None,
) -> None:
    alert_id = await factory.post_alert(amk, personal_body(consent=consent))
    assert decoded((await alert_row(state, alert_id))["consent_categories"]) == stored


async def test_the_reporter_is_recorded_sealed(
    factory: Factory, http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
) -> None:
    body = personal_body()
    body["reporter"] = {"unit": "Ambulanse Sarpsborg 7", "callback_phone": "+4769123456"}
    alert_id = await factory.post_alert(amk, body)
    row = await alert_row(state, alert_id)
    assert row["client_id"] == amk.client_id
    assert opened(state, row, "reporter") == {
        "reporter.callback_phone": "+4769123456",
        "reporter.unit": "Ambulanse Sarpsborg 7",
    }
    dump = "\n".join(f"{table} {row}" for table, row in await raw_rows(state))
    for value in ("Sarpsborg 7", "69123456"):
        assert value not in dump, value
    # The team leader's case system still sees who reported, as before.
    case_system = await factory.api_client(scopes=(Scope.ALERTS_DETAILS,))
    shown = await details(http, case_system, alert_id)
    assert shown.status_code == 200, shown.text
    assert shown.json()["reporter"] == body["reporter"]


async def test_the_fingerprint_is_keyed_and_stable_for_retries(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
) -> None:
    body = personal_body(consent={"state": "objected"})
    first = await http.post("/v1/alerts", json=body, headers=amk.headers)
    retry = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    fingerprint = (await alert_row(state, first.json()["id"]))["request_fingerprint"]
    canonical = minimise(AlertIn.model_validate(body), on=None).canonical
    assert fingerprint == state.hasher.fingerprint(canonical)
    assert fingerprint != hashlib.sha256(canonical.encode()).hexdigest()
    assert NAME not in canonical
    # What the person objected to sharing is not part of the stored request, so a retry
    # that differs only there is the same alert.
    renamed = {**body, "person": {**body["person"], "name": "Someone Else"}}
    again = await http.post("/v1/alerts", json=renamed, headers=amk.headers)
    assert again.status_code == 200
    changed = {**body, "clinical": {**body["clinical"], "outcome": "left_at_scene"}}
    assert (await http.post("/v1/alerts", json=changed, headers=amk.headers)).status_code == 409


def test_every_personal_field_is_sealed() -> None:
    assert set(SEALED_COLUMNS) == set(DataCategory)
    assert fields_in(SEALED_COLUMNS) == frozenset(CATEGORY_OF)
