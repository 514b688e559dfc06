"""Migration 0026 seals the webhook payloads stored in plain JSON (they carry the dispatch
incident id), and its downgrade opens them again; a delivery still waiting posts the same
bytes either way."""

from __future__ import annotations

import json

import httpx

from app.state import AppState
from app.webhooks import service, signing
from devtools.webhook_receiver import WebhookReceiver
from tests.migrations.test_migration_0006 import as_uuid, rows
from tests.migrations.test_migration_0018 import migrated
from tests.scenario import Scenario
from tests.webhooks.support import ClockedWebhook, create_endpoint


async def test_0026_seals_webhook_payloads_both_ways(
    http: httpx.AsyncClient, state: AppState, scenario: Scenario
) -> None:
    team = await scenario.team()
    receiver = WebhookReceiver()
    secret = await create_endpoint(http, await scenario.client(), receiver.url)
    incident_id = "AMK-MIGRATED-WEBHOOK-1"
    alert_id = await scenario.alert(dispatch_incident_id=incident_id)
    assert await scenario.acknowledge(alert_id, team.member_ids[0])  # pending: not posted yet

    await migrated(state, "0025", down=True)
    [(raw_id, payload)] = await rows(state, "SELECT id, payload FROM webhook_delivery")
    delivery_id = as_uuid(raw_id)
    plain = payload if isinstance(payload, dict) else json.loads(payload)
    assert plain["type"] == "alert.acknowledged"
    assert plain["data"]["dispatch_incident_id"] == incident_id

    await migrated(state, "head")
    [(raw_id, sealed)] = await rows(state, "SELECT id, payload_sealed FROM webhook_delivery")
    assert as_uuid(raw_id) == delivery_id
    opened = state.cipher.open(sealed, context=service.payload_context(delivery_id))
    assert opened.encode() == signing.body_of(plain)
    assert incident_id not in str(await rows(state, "SELECT * FROM webhook_delivery"))

    async with receiver.serving():
        await scenario.settle()
    [webhook] = receiver.received
    assert webhook.body == signing.body_of(plain)
    assert ClockedWebhook(secret, scenario.clock).verify(webhook.body, webhook.headers) == plain
