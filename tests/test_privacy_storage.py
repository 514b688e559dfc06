"""Personal data at rest: minimised on objection, sealed, hashed, unreadable in a raw dump."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import httpx
import pytest

from app.alerts.minimise import OBJECTION_REASON, minimise
from app.alerts.schemas import AlertIn
from app.alerts.sealing import PLAIN_COLUMNS, SEALED_COLUMNS
from app.auth.scopes import Scope
from app.consent.enums import DataCategory
from app.consent.fields import CATEGORY_OF, IDENTIFYING_FIELDS, fields_in
from app.state import AppState
from tests.factories import ApiCredentials, Factory, alert_body
from tests.personal_data import (
    INVALID_NATIONAL_ID,
    NAME,
    NATIONAL_ID,
    PHONE_E164,
    PLACE,
    RECOGNISABLE,
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


async def test_identity_contact_and_place_are_sealed_per_category(
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
    }
    assert row["national_id_hash"] == state.hasher.national_id(NATIONAL_ID)
    assert (row["place_type"], row["person_homeless"]) == ("private_home", True)
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


async def test_an_objection_stores_no_identifying_field(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
) -> None:
    body = personal_body(consent={"state": "objected"})
    response = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert response.status_code == 201, response.text
    alert = response.json()
    assert alert["consent_state"] == "objected"
    assert alert["dropped_fields"] == [
        {"field": path, "reason": OBJECTION_REASON} for path in sorted(IDENTIFYING_FIELDS)
    ]
    row = await alert_row(state, alert["id"])
    for column in (
        "identity_sealed",
        "contact_sealed",
        "place_sealed",
        "national_id_hash",
        "person_homeless",
        "person_children_in_household",
    ):
        assert row[column] is None, column
    # The anonymous alert still went through, with what is not identifying.
    assert (row["place_type"], row["outcome"]) == ("private_home", "declined_transport")
    assert decoded(row["substances"]) == ["opioid"]


async def test_an_objection_lists_only_the_fields_that_were_sent(
    http: httpx.AsyncClient, amk: ApiCredentials
) -> None:
    body = alert_body(consent={"state": "objected"}, place={"type": "shelter"})
    body["person"] = {"name": NAME, "national_id": INVALID_NATIONAL_ID}
    response = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert response.status_code == 201
    assert response.json()["dropped_fields"] == [
        {"field": "person.national_id", "reason": "second check digit is wrong"},
        {"field": "person.name", "reason": OBJECTION_REASON},
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
    canonical = minimise(AlertIn.model_validate(body)).canonical
    assert fingerprint == state.hasher.fingerprint(canonical)
    assert fingerprint != hashlib.sha256(canonical.encode()).hexdigest()
    assert NAME not in canonical
    # What the person objected to sharing is not part of the stored request, so a retry
    # that differs only there is the same alert.
    renamed = {**body, "person": {**body["person"], "name": "Someone Else"}}
    again = await http.post("/v1/alerts", json=renamed, headers=amk.headers)
    assert again.status_code == 200
    changed = {**body, "kind": "fatal"}
    assert (await http.post("/v1/alerts", json=changed, headers=amk.headers)).status_code == 409


def test_every_personal_field_has_exactly_one_place_to_be_stored() -> None:
    sealed = fields_in(SEALED_COLUMNS)
    plain = frozenset(PLAIN_COLUMNS)
    assert sealed.isdisjoint(plain)
    assert sealed | plain == frozenset(CATEGORY_OF)
    # What identifies the person is never kept plain.
    assert fields_in([DataCategory.IDENTITY, DataCategory.CONTACT]) <= sealed
    assert {"place.description", "place.latitude", "place.longitude"} <= sealed
