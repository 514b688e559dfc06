"""Outbound webhooks: the client's endpoint API, Standard Webhooks signatures, isolation."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from ipaddress import ip_address, ip_network
from typing import Any

import httpx
import pytest
from pydantic import SecretStr, ValidationError
from standardwebhooks.webhooks import WebhookVerificationError

from app.auth.scopes import Scope
from app.clock import FakeClock
from app.config import Settings, describe_validation_error, load_settings
from app.config.errors import ConfigError
from app.config.sections import AuthSettings, CryptoSettings, SmsSettings, WebhookSettings
from app.errors import InvalidFields
from app.privacy.crypto import DecryptionError, generate_key
from app.state import AppState
from app.webhooks import service, signing
from app.webhooks.addresses import AddressGuard, AddressPolicy, policy_of
from app.webhooks.urls import MAX_URL_LENGTH
from devtools.webhook_receiver import WebhookReceiver
from tests.factories import ApiCredentials, Factory
from tests.personal_data import raw_rows
from tests.scenario import Scenario
from tests.webhooks.support import (
    ClockedWebhook,
    FakeResolver,
    create_endpoint,
    deliveries,
    enqueue,
    event,
    set_endpoint,
)


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    async with receiver.serving():
        yield receiver


@pytest.fixture
async def amk(factory: Factory) -> ApiCredentials:
    return await factory.api_client(scopes=(Scope.ALERTS_READ,))


async def test_a_delivery_verifies_with_the_standard_webhooks_library(
    http: httpx.AsyncClient,
    state: AppState,
    clock: FakeClock,
    amk: ApiCredentials,
    receiver: WebhookReceiver,
    scenario: Scenario,
) -> None:
    secret = await create_endpoint(http, amk, receiver.url)
    assert secret.startswith("whsec_") and len(secret) == len("whsec_") + 44
    alert_id = uuid.uuid4()
    assert await enqueue(state, clock, amk, alert_id)

    assert await scenario.settle() == 1
    [webhook] = receiver.received
    payload = ClockedWebhook(secret, clock).verify(webhook.body, webhook.headers)
    assert payload == {
        "type": "alert.acknowledged",
        "timestamp": "2026-11-23T12:00:00Z",
        "data": event(alert_id),
    }
    [delivery] = await deliveries(http, amk)
    assert webhook.webhook_id == delivery["webhook_id"] == "msg_" + uuid.UUID(delivery["id"]).hex
    assert webhook.headers["webhook-timestamp"] == str(int(clock.now().timestamp()))
    assert webhook.headers["content-type"] == "application/json"
    assert delivery | {"id": None, "webhook_id": None} == {
        "id": None,
        "webhook_id": None,
        "event_type": "alert.acknowledged",
        "subject_id": str(alert_id),
        "status": "delivered",
        "attempts": 1,
        "last_status_code": 204,
        "last_error": None,
        "next_attempt_at": None,
        "created_at": "2026-11-23T12:00:00Z",
        "delivered_at": "2026-11-23T12:00:00Z",
    }

    tampered = webhook.body.replace(b"acknowledged", b"answered")
    with pytest.raises(WebhookVerificationError):
        ClockedWebhook(secret, clock).verify(tampered, webhook.headers)
    with pytest.raises(WebhookVerificationError):
        ClockedWebhook(signing.generate_secret(), clock).verify(webhook.body, webhook.headers)
    clock.advance(timedelta(minutes=6))
    with pytest.raises(WebhookVerificationError, match="too old"):
        ClockedWebhook(secret, clock).verify(webhook.body, webhook.headers)


async def test_the_secret_is_shown_once_and_rotation_changes_the_key(
    http: httpx.AsyncClient,
    state: AppState,
    clock: FakeClock,
    amk: ApiCredentials,
    receiver: WebhookReceiver,
    scenario: Scenario,
) -> None:
    first = await set_endpoint(http, amk, receiver.url)
    assert first.status_code == 201 and first.headers["cache-control"] == "no-store"
    old_secret = first.json()["secret"]
    changed = await set_endpoint(http, amk, receiver.url + "/v2")
    assert changed.status_code == 200
    assert changed.json() == {
        "url": receiver.url + "/v2",
        "active": True,
        "created_at": "2026-11-23T12:00:00Z",
        "updated_at": "2026-11-23T12:00:00Z",
    }
    shown = await http.get("/v1/webhook-endpoint", headers=amk.headers)
    assert shown.status_code == 200 and "secret" not in shown.json()
    assert old_secret not in shown.text + changed.text

    rotated = await http.post("/v1/webhook-endpoint/rotate-secret", headers=amk.headers)
    assert rotated.status_code == 200 and rotated.headers["cache-control"] == "no-store"
    new_secret = rotated.json()["secret"]
    assert new_secret != old_secret and new_secret.startswith("whsec_")

    await set_endpoint(http, amk, receiver.url)
    await enqueue(state, clock, amk)
    await scenario.settle()
    [webhook] = receiver.received
    ClockedWebhook(new_secret, clock).verify(webhook.body, webhook.headers)
    with pytest.raises(WebhookVerificationError):
        ClockedWebhook(old_secret, clock).verify(webhook.body, webhook.headers)


async def test_without_an_active_endpoint_nothing_is_enqueued_or_sent(
    http: httpx.AsyncClient,
    state: AppState,
    clock: FakeClock,
    amk: ApiCredentials,
    receiver: WebhookReceiver,
    scenario: Scenario,
) -> None:
    assert not await enqueue(state, clock, amk)
    assert (await http.get("/v1/webhook-endpoint", headers=amk.headers)).status_code == 404
    assert (await http.delete("/v1/webhook-endpoint", headers=amk.headers)).status_code == 404
    rotate = await http.post("/v1/webhook-endpoint/rotate-secret", headers=amk.headers)
    assert rotate.status_code == 404

    await create_endpoint(http, amk, receiver.url)
    assert (await http.delete("/v1/webhook-endpoint", headers=amk.headers)).status_code == 204
    assert (await http.get("/v1/webhook-endpoint", headers=amk.headers)).json()["active"] is False
    assert not await enqueue(state, clock, amk)
    await scenario.settle()
    assert receiver.received == [] and await deliveries(http, amk) == []

    again = await set_endpoint(http, amk, receiver.url)
    assert again.status_code == 200 and again.json()["active"] is True
    assert "secret" not in again.json(), "reactivating keeps the secret the client has"
    assert await enqueue(state, clock, amk)


async def test_a_client_sees_and_resends_only_its_own_deliveries(
    http: httpx.AsyncClient,
    state: AppState,
    clock: FakeClock,
    factory: Factory,
    amk: ApiCredentials,
    receiver: WebhookReceiver,
    scenario: Scenario,
) -> None:
    other = await factory.api_client(scopes=(Scope.ALERTS_READ,))
    await create_endpoint(http, amk, receiver.url)
    other_secret = await create_endpoint(http, other, receiver.url + "/other")
    await enqueue(state, clock, amk)
    await scenario.settle()
    [own] = await deliveries(http, amk)

    assert await deliveries(http, other) == []
    foreign = await http.post(f"/v1/webhook-deliveries/{own['id']}/resend", headers=other.headers)
    unknown = await http.post(
        f"/v1/webhook-deliveries/{uuid.uuid4()}/resend", headers=other.headers
    )
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json() == unknown.json()
    assert (
        (await http.get("/v1/webhook-endpoint", headers=other.headers))
        .json()["url"]
        .endswith("/other")
    )
    assert other_secret not in json.dumps(await deliveries(http, amk))


async def test_the_api_needs_a_token_with_alerts_read(
    http: httpx.AsyncClient, factory: Factory
) -> None:
    assert (await http.get("/v1/webhook-endpoint")).status_code == 401
    admin = await factory.admin_client()
    refused = await http.get("/v1/webhook-deliveries", headers=admin.headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"


async def test_an_enqueue_rolled_back_sends_nothing(
    http: httpx.AsyncClient,
    state: AppState,
    clock: FakeClock,
    amk: ApiCredentials,
    receiver: WebhookReceiver,
    scenario: Scenario,
) -> None:
    await create_endpoint(http, amk, receiver.url)

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned):
        async with state.sessions() as session, session.begin():
            assert await service.enqueue(
                session,
                client_id=amk.client_id,
                event_type="alert.acknowledged",
                data=event(uuid.uuid4()),
                subject_id=None,
                now=clock.now(),
                cipher=state.cipher,
            )
            raise Abandoned  # the acknowledgement failed after the event was written

    assert await scenario.settle() == 0
    assert receiver.received == [] and await deliveries(http, amk) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"url": "ftp://amk.example.no/hooks"}, "http or https"),
        ({"url": "https://amk.example.no/a b"}, "spaces"),
        ({"url": "https://amk.example.no/\u0007"}, "control character"),
        ({"url": "https://amk.example.no/" + "a" * MAX_URL_LENGTH}, "500"),
        ({"url": "amk.example.no/hooks"}, "http or https"),
        ({"url": "https://user:pw@amk.example.no/"}, "password"),
        ({"url": "https://amk.example.no:99999/"}, "not a valid URL"),
        ({"url": 17}, "string"),
        ({}, "required"),
    ],
)
async def test_a_bad_url_is_a_422_naming_the_field(
    http: httpx.AsyncClient, amk: ApiCredentials, body: dict[str, object], reason: str
) -> None:
    response = await http.put("/v1/webhook-endpoint", json=body, headers=amk.headers)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("/validation-error")
    [error] = problem["errors"]
    assert error["field"] == "url" and reason.lower() in error["reason"].lower()
    assert "amk.example.no" not in response.text, "messages never repeat the value sent"


async def test_production_takes_only_https_urls_to_other_hosts(
    state: AppState, clock: FakeClock, amk: ApiCredentials
) -> None:
    production = AddressGuard(
        AddressPolicy(production=True), resolve=FakeResolver({"amk.example.no": ["51.174.10.20"]})
    )
    for url in ("http://amk.example.no/hooks", "https://127.0.0.1/hooks", "https://10.1.2.3/"):
        with pytest.raises(InvalidFields) as refused:
            await service.check_url(url, production)
        assert refused.value.extra["errors"][0]["field"] == "url"
    checked = await service.check_url("https://amk.example.no/hooks", production)
    async with state.sessions() as session, session.begin():
        result = await service.set_endpoint(
            session, client_id=amk.client_id, url=checked, now=clock.now(), cipher=state.cipher
        )
    assert result.created


def test_webhook_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOKS__MAX_ATTEMPTS", "5")
    assert load_settings().webhooks.max_attempts == 5
    monkeypatch.setenv("WEBHOOKS__TIMEOUT_SECONDS", "0")
    with pytest.raises(ConfigError) as refused:
        load_settings()
    [problem] = refused.value.problems
    assert problem.startswith("WEBHOOKS__TIMEOUT_SECONDS: ")


def test_allowed_networks_are_json_and_never_this_machine_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WEBHOOKS__ALLOWED_NETWORKS", '["10.20.0.0/16", "fd12:3456::/32"]')
    assert load_settings().webhooks.allowed_networks == [
        ip_network("10.20.0.0/16"),
        ip_network("fd12:3456::/32"),
    ]
    assert policy_of(load_settings()).allows(ip_address("10.20.3.4"))
    monkeypatch.setenv("WEBHOOKS__ALLOWED_NETWORKS", '["10.20.0.1/16"]')  # host bits set
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert [p.partition(":")[0] for p in refused.value.problems] == [
        "WEBHOOKS__ALLOWED_NETWORKS[0]"
    ]

    named = WebhookSettings(allowed_networks=["10.20.0.0/16"])
    assert _production(named).webhooks == named
    for everything in ("0.0.0.0/0", "127.0.0.0/8", "::/0"):
        with pytest.raises(ValidationError) as invalid:
            _production(WebhookSettings(allowed_networks=[everything]))
        assert describe_validation_error(invalid.value) == [
            "WEBHOOKS__ALLOWED_NETWORKS: must not hold loopback or 0.0.0.0 in production "
            "(webhooks would reach this machine)"
        ]


def _production(webhooks: WebhookSettings) -> Settings:
    return Settings(
        environment="production",
        auth=AuthSettings(jwt_secret=SecretStr("x" * 32)),
        crypto=CryptoSettings(
            keys={"k1": SecretStr(generate_key())}, hash_key=SecretStr(generate_key())
        ),
        sms=SmsSettings(allow_console_in_production=True),
        webhooks=webhooks,
    )


async def delivery_rows(state: AppState) -> list[dict[str, Any]]:
    """The rows of `webhook_delivery` as a database dump shows them."""
    return [row for table, row in await raw_rows(state) if table == "webhook_delivery"]


async def test_a_payload_is_sealed_at_rest_and_posted_as_it_was_signed(
    http: httpx.AsyncClient, state: AppState, scenario: Scenario, receiver: WebhookReceiver
) -> None:
    """The body carries the dispatch incident id: the row keeps it sealed, before and after
    it is posted (docs/rules.md, "Dispatch incident id")."""
    team = await scenario.team()
    secret = await create_endpoint(http, await scenario.client(), receiver.url)
    incident_id = "AMK-SEALED-WEBHOOK-1"
    alert_id = await scenario.alert(dispatch_incident_id=incident_id)
    assert await scenario.acknowledge(alert_id, team.member_ids[0])

    [row] = await delivery_rows(state)
    assert row["payload_sealed"].startswith("v1.") and incident_id not in str(row)
    await scenario.settle()
    [webhook] = receiver.received
    posted = ClockedWebhook(secret, scenario.clock).verify(webhook.body, webhook.headers)
    assert posted["data"]["dispatch_incident_id"] == incident_id
    [row] = await delivery_rows(state)
    assert row["status"] == "delivered" and incident_id not in str(await raw_rows(state))
    context = service.payload_context(uuid.UUID(str(row["id"])))
    opened = state.cipher.open(row["payload_sealed"], context=context)
    assert opened.encode() == webhook.body == signing.body_of(posted)
    with pytest.raises(DecryptionError):  # bound to its row
        state.cipher.open(row["payload_sealed"], context=service.payload_context(uuid.uuid4()))
