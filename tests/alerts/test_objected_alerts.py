"""Objected alerts keep only what cannot single the person out (docs/rules.md, "Objected
alerts: what is kept", "Dispatch incident id"): the group rule as a table, and a raw dump of
every row that mentions an objected alert posted over HTTP."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from app.alerts import anonymity, sealing
from app.alerts.models import Alert
from app.consent.enums import DataCategory
from app.state import AppState
from tests.factories import ApiCredentials, Factory
from tests.personal_data import (
    NATIONAL_ID,
    RECOGNISABLE,
    alert_row,
    personal_body,
    raw_rows,
)

UNIT, CALLBACK = "Ambulanse Fredrikstad 2", "+4769000000"


@pytest.fixture
async def amk(factory: Factory) -> ApiCredentials:
    return await factory.api_client(municipalities=("3107",))


@pytest.mark.parametrize("field", anonymity.ANONYMOUS_FIELDS)
@pytest.mark.parametrize(
    ("earlier", "kept"),
    [(0, False), (1, False), (2, False), (3, False), (4, True), (5, True), (6, True)],
)
def test_a_value_is_kept_only_if_five_alerts_share_it(field: str, earlier: int, kept: bool) -> None:
    """`earlier`: alerts of the municipality in the year with the same value; with this one,
    at least five must share it."""
    personal = {"clinical.outcome": "declined_transport", "person.age_band": "adult"}
    other = next(f for f in anonymity.ANONYMOUS_FIELDS if f != field)
    values = anonymity.anonymous_values(personal, {field: earlier, other: 10})
    assert (field in values) is kept
    assert other in values, "each field is decided on its own count"


@pytest.mark.parametrize(
    "path",
    ["clinical.substances", "naloxone.given", "person.name", "reporter.unit", "place.latitude"],
)
def test_nothing_beyond_the_anonymous_fields_is_kept_whatever_the_count(path: str) -> None:
    assert anonymity.anonymous_values({path: "x"}, {path: 1000}) == {}


def test_the_hour_is_kept_rounded_down() -> None:
    at = datetime(2027, 3, 25, 21, 47, 13, 5, tzinfo=UTC)
    assert anonymity.to_the_hour(at) == datetime(2027, 3, 25, 21, tzinfo=UTC)


KEPT_COLUMNS = {
    "id",
    "client_id",
    "dispatch_incident_hash",
    "request_fingerprint",
    "municipality_code",
    "kind",
    "occurred_at",
    "received_at",
    "status",
    "consent_state",
    "consent_recipients",
    "acute_risk_sealed",
    "age_band",
    "triage_action",
    "triage_reason",
    "triage_first_contact_ward",
    "version",
    "dropped_fields",
    "inform_person_required",
    "shared_without_consent",
}
"""What an objected alert's row may hold (every other column is empty)."""

_INSTANT = re.compile(r"\d{4}-\d\d-\d\d[ T](\d\d):(\d\d):(\d\d)(\.\d+)?")


def _times_in(value: Any) -> list[str]:
    if isinstance(value, datetime):
        return [value.isoformat(sep=" ")]
    return [m.group(0) for m in _INSTANT.finditer(str(value))]


def whole_hours(rows: list[dict[str, Any]]) -> bool:
    """Every instant in `rows` (datetimes, or written in text and JSON) is a whole hour."""
    for row in rows:
        for value in row.values():
            for instant in _times_in(value):
                match = _INSTANT.match(instant)
                assert match is not None
                assert match.group(2, 3) == ("00", "00"), f"minute-precise: {instant} in {row}"
                fraction = (match.group(4) or ".0").strip(".0")
                assert not fraction, f"sub-second: {instant}"
    return True


def _mentions(row: dict[str, Any], alert_id: uuid.UUID) -> bool:
    text = str(row)
    return alert_id.hex in text or str(alert_id) in text or repr(alert_id) in text


async def test_a_raw_dump_of_an_objected_alert_holds_only_what_the_leader_may_see(
    http: httpx.AsyncClient, factory: Factory, amk: ApiCredentials, state: AppState
) -> None:
    for _ in range(4):  # four earlier alerts share outcome and age band: both are kept
        await factory.post_alert(amk, personal_body())
    body = personal_body(consent={"state": "objected"}, occurred_at="2026-11-22T23:41:37+01:00")
    body["reporter"] = {"unit": UNIT, "callback_phone": CALLBACK}
    posted = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert posted.status_code == 201, posted.text
    assert posted.json()["dispatch_incident_id"] == body["dispatch_incident_id"], "echoed"
    alert_id = uuid.UUID(posted.json()["id"])

    mentioning = [(t, r) for t, r in await raw_rows(state) if _mentions(r, alert_id)]
    assert {t for t, _ in mentioning} >= {"alert", "alert_event"}
    dump = "\n".join(f"{t} {r}" for t, r in mentioning)
    forbidden = [
        *RECOGNISABLE,
        UNIT,
        "69000000",
        "heroin",
        "benzodiazepine",
        body["dispatch_incident_id"],
        state.hasher.national_id(NATIONAL_ID),
        NATIONAL_ID,
    ]
    for value in forbidden:
        assert value not in dump, value
    assert whole_hours([row for _, row in mentioning])

    row = await alert_row(state, str(alert_id))
    assert {c for c, v in row.items() if v not in (None, [], "[]", "null")} <= KEPT_COLUMNS
    assert row["dispatch_incident_hash"] == state.hasher.dispatch_incident(
        body["dispatch_incident_id"]
    )
    assert row["age_band"] == "adult"
    acute = json.loads(
        state.cipher.open(
            row["acute_risk_sealed"],
            context=sealing.context_of(alert_id, DataCategory.ACUTE_RISK),
        )
    )
    assert acute == {"clinical.outcome": "declined_transport"}


async def test_the_incident_id_is_hashed_and_sealed_and_a_retry_finds_the_alert(
    http: httpx.AsyncClient, factory: Factory, amk: ApiCredentials, state: AppState
) -> None:
    body = personal_body()
    first = await http.post("/v1/alerts", json=body, headers=amk.headers)
    again = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    alert_id = first.json()["id"]
    dump = "\n".join(f"{t} {r}" for t, r in await raw_rows(state))
    assert body["dispatch_incident_id"] not in dump
    row = await alert_row(state, alert_id)
    assert (
        state.cipher.open(
            row["dispatch_incident_sealed"],
            context=sealing.context_of(uuid.UUID(alert_id), sealing.INCIDENT_CONTEXT),
        )
        == body["dispatch_incident_id"]
    )
    read = await http.get(f"/v1/alerts/{alert_id}", headers=amk.headers)
    assert read.json()["dispatch_incident_id"] == body["dispatch_incident_id"]
    # A supplement under the same alert still works.
    supplemented = await http.post(
        f"/v1/alerts/{alert_id}/supplements",
        json={"supplement_id": "s1", "clinical": {"outcome": "transported"}},
        headers=amk.headers,
    )
    assert supplemented.status_code == 201, supplemented.text
    assert supplemented.json()["alert"]["dispatch_incident_id"] == body["dispatch_incident_id"]
    # Another client may use the same incident id: a new alert.
    other = await factory.api_client(municipalities=("3107",))
    theirs = await http.post("/v1/alerts", json=body, headers=other.headers)
    assert theirs.status_code == 201 and theirs.json()["id"] != alert_id


async def test_an_objected_alert_keeps_no_incident_id_but_a_retry_finds_it(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
) -> None:
    body = personal_body(consent={"state": "objected"})
    first = await http.post("/v1/alerts", json=body, headers=amk.headers)
    again = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["dispatch_incident_id"] == body["dispatch_incident_id"]
    read = await http.get(f"/v1/alerts/{first.json()['id']}", headers=amk.headers)
    assert read.json()["dispatch_incident_id"] is None
    assert Alert.__table__.c.dispatch_incident_sealed.nullable  # type: ignore[attr-defined]
