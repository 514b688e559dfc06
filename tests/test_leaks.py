"""Nothing personal leaks sideways: not into logs, error messages or any answer but a disclosure.

The traffic below posts alerts with recognisable personal values - valid and invalid, with and
without an objection, in optional and in required fields - and uses every way of reading
them. Each sink is a place those values must never reach. To guard a new place (SMS bodies,
metrics, exports), add a function to SINKS.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from app.auth.scopes import Scope
from tests.factories import ApiCredentials, Factory
from tests.personal_data import (
    INVALID_NATIONAL_ID,
    NAME,
    NATIONAL_ID,
    PHONE_TYPED,
    PLACE,
    RECOGNISABLE,
    details,
    personal_body,
)
from tests.scenario import Scenario


@dataclass
class Traffic:
    """What the service was asked and answered while handling personal data."""

    http: httpx.AsyncClient
    scenario: Scenario
    caplog: pytest.LogCaptureFixture
    amk: ApiCredentials
    officer: ApiCredentials
    answers: list[httpx.Response] = field(default_factory=list)
    """Every answer except the disclosures themselves."""
    alert_ids: list[str] = field(default_factory=list)

    async def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = await self.http.request(method, url, **kwargs)
        self.answers.append(response)
        if url == "/v1/alerts" and response.status_code in (200, 201):
            self.alert_ids.append(response.json()["id"])
        return response

    async def post_alert(self, body: dict[str, Any], expected: int) -> None:
        response = await self.send("POST", "/v1/alerts", json=body, headers=self.amk.headers)
        assert response.status_code == expected, response.text


def _answer_text(response: httpx.Response) -> str:
    return f"{response.status_code} {dict(response.headers)} {response.text}"


async def logs(traffic: Traffic) -> list[str]:
    """Every log record at DEBUG and up: message, arguments, `extra` fields, tracebacks."""
    # The traffic ran while the fixture was set up; the sinks are read during the test.
    records = [*traffic.caplog.get_records("setup"), *traffic.caplog.get_records("call")]
    assert any(r.name == "odvarsel.request" for r in records), "the logs were not captured"
    formatter = logging.Formatter()
    return [f"{formatter.format(r)} {vars(r)!r}" for r in records]


async def intake_answers(traffic: Traffic) -> list[str]:
    """Answers to POST /v1/alerts, accepted or refused (dropped-field reasons, problems)."""
    return [_answer_text(r) for r in traffic.answers if r.request.url.path == "/v1/alerts"]


async def error_answers(traffic: Traffic) -> list[str]:
    errors = [_answer_text(r) for r in traffic.answers if r.status_code >= 400]
    assert len(errors) >= 8
    return errors


async def status_answers(traffic: Traffic) -> list[str]:
    """GET /v1/alerts/{id} for every alert: the sender's view, never personal."""
    answers = []
    for alert_id in traffic.alert_ids:
        response = await traffic.http.get(f"/v1/alerts/{alert_id}", headers=traffic.amk.headers)
        assert response.status_code == 200
        answers.append(_answer_text(response))
    return answers


async def privacy_officer_answers(traffic: Traffic) -> list[str]:
    """Access-log listings and person lookups: who saw what, never the values themselves."""
    answers = [_answer_text(r) for r in traffic.answers if "/v1/privacy/" in r.request.url.path]
    for alert_id in traffic.alert_ids:
        response = await traffic.http.get(
            "/v1/privacy/access-log", params={"alert_id": alert_id}, headers=traffic.officer.headers
        )
        answers.append(_answer_text(response))
    return answers


async def sms_bodies(t: Traffic) -> list[str]:
    """Every SMS the traffic caused, as sent (the console sender keeps them)."""
    await t.scenario.settle()
    bodies = [body for _, body in t.scenario.sms()]
    assert bodies, "the traffic paged nobody: this sink would prove nothing"
    return bodies


Sink = Callable[[Traffic], Awaitable[list[str]]]
SINKS: dict[str, Sink] = {
    "logs": logs,
    "intake answers": intake_answers,
    "error answers": error_answers,
    "status answers": status_answers,
    "privacy officer answers": privacy_officer_answers,
    "SMS bodies": sms_bodies,
}


@pytest.fixture
async def traffic(
    factory: Factory,
    http: httpx.AsyncClient,
    scenario: Scenario,
    caplog: pytest.LogCaptureFixture,
) -> Traffic:
    amk = await factory.api_client(municipalities=("3107",))
    case_system = await factory.api_client(scopes=(Scope.ALERTS_DETAILS,))
    officer = await factory.api_client(scopes=(Scope.PRIVACY_READ,))
    caplog.set_level(logging.DEBUG)
    t = Traffic(http=http, scenario=scenario, caplog=caplog, amk=amk, officer=officer)

    shared = personal_body()
    await t.post_alert(shared, 201)
    await t.post_alert(shared, 200)  # a retry
    await t.post_alert({**shared, "scene": {"others_present": False}}, 409)
    await t.post_alert(personal_body(consent={"state": "objected"}), 201)
    await t.post_alert(personal_body(consent={"state": NAME}), 201)

    invalid = personal_body()
    invalid["person"].update(
        national_id=INVALID_NATIONAL_ID, phone=f"ring {PHONE_TYPED}", name=NAME * 20
    )
    invalid["place"]["description"] = PLACE * 40
    invalid["person"][NAME] = PLACE  # an unknown field named after the person
    await t.post_alert(invalid, 201)

    for required in ("kind", "municipality", "occurred_at", "dispatch_incident_id"):
        await t.post_alert({**personal_body(), required: NAME}, 422)
    await t.post_alert({**personal_body(), "municipality": NATIONAL_ID[:4]}, 422)
    await t.post_alert(personal_body(municipality="0301"), 403)
    broken = f'{{"person": {{"name": "{NAME}", "national_id": "{NATIONAL_ID}"'.encode()
    await t.send("POST", "/v1/alerts", content=broken, headers=amk.headers)
    oversized = personal_body()
    oversized["place"]["description"] = PLACE * 4000
    await t.post_alert(oversized, 413)

    # The disclosures themselves are the one place the values may appear: not kept as answers.
    for alert_id in t.alert_ids:
        assert (await details(http, case_system, alert_id)).status_code == 200
    for national_id in (NATIONAL_ID, INVALID_NATIONAL_ID, PHONE_TYPED):
        await t.send(
            "POST",
            "/v1/privacy/access-log/person",
            json={"national_id": national_id, "reason": "Innsyn"},
            headers=officer.headers,
        )
    assert [r.status_code for r in t.answers[-3:]] == [200, 422, 422]
    return t


@pytest.mark.parametrize("sink", list(SINKS))
async def test_no_personal_value_reaches(traffic: Traffic, sink: str) -> None:
    texts = await SINKS[sink](traffic)
    assert texts, f"{sink}: nothing was observed"
    observed = "\n".join(texts)
    for value in RECOGNISABLE:
        assert value not in observed, f"{sink} holds {value!r}"
