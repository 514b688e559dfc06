"""Outbound webhooks through the outbox: retries with backoff, order, giving up, resending."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx

from app.auth.scopes import Scope
from app.clock import FakeClock
from app.config.sections import WebhookSettings
from app.state import AppState
from app.webhooks import repository
from app.webhooks.engine import BACKOFF, WebhookEngine, backoff
from app.worker import Worker
from devtools.webhook_receiver import WebhookReceiver
from tests.factories import Factory
from tests.scenario import Scenario
from tests.webhooks.support import ClockedWebhook, create_endpoint, deliveries, enqueue


def test_backoff_grows_to_hourly() -> None:
    waits = [backoff(n).total_seconds() for n in range(1, 9)]
    assert waits == [10, 30, 60, 300, 900, 3600, 3600, 3600]
    assert BACKOFF[-1] == timedelta(hours=1)


async def test_a_receiver_that_was_down_gets_every_event_once_in_order(
    http: httpx.AsyncClient, state: AppState, clock: FakeClock, factory: Factory, scenario: Scenario
) -> None:
    amk = await factory.api_client(scopes=(Scope.ALERTS_READ,))
    receiver = WebhookReceiver()
    async with receiver.serving():
        secret = await create_endpoint(http, amk, receiver.url)
        receiver.down()
        await enqueue(state, clock, amk)
        assert await scenario.settle() == 1
        [first] = await deliveries(http, amk)
        assert (first["status"], first["attempts"], first["last_status_code"]) == (
            "pending",
            1,
            503,
        )
        assert first["next_attempt_at"] == "2026-11-23T12:00:10Z"

        await enqueue(state, clock, amk, event_type="alert.answered")
        await enqueue(state, clock, amk)
        assert await scenario.settle() == 0, "newer events wait behind the first"
        clock.advance(timedelta(seconds=10))
        assert await scenario.settle() == 1
        assert len(receiver.refused) == 2
        assert {r.webhook_id for r in receiver.refused} == {first["webhook_id"]}
        assert receiver.refused[0].body == receiver.refused[1].body
        assert [int(r.headers["webhook-timestamp"]) for r in receiver.refused] == [
            int(clock.now().timestamp()) - 10,
            int(clock.now().timestamp()),
        ], "each attempt is signed for its own time"

    # Stopped: connections are refused.
    for wait in BACKOFF[1:3]:
        clock.advance(wait)
        assert await scenario.settle() == 1
    [first, *_] = await deliveries(http, amk)
    assert (first["attempts"], first["last_status_code"]) == (4, None)
    assert first["last_error"] == "not delivered"
    assert all(d["attempts"] == 0 for d in (await deliveries(http, amk))[1:])

    async with receiver.serving():
        receiver.up()
        clock.advance(BACKOFF[3] - timedelta(seconds=1))
        assert await scenario.settle() == 0, "not before its backoff"
        clock.advance(timedelta(seconds=1))
        assert await scenario.settle() == 3
        verifier = ClockedWebhook(secret, clock)
        types = [verifier.verify(w.body, w.headers)["type"] for w in receiver.received]
        assert types == ["alert.acknowledged", "alert.answered", "alert.acknowledged"]
        clock.advance(timedelta(days=1))
        assert await scenario.settle() == 0
    amk.token = await factory.token(amk)  # a day later

    listed = await deliveries(http, amk)
    assert [d["status"] for d in listed] == ["delivered"] * 3
    assert [w.webhook_id for w in receiver.received] == [d["webhook_id"] for d in listed]


async def test_a_delivery_given_up_is_resent_with_the_same_id_and_body(
    http: httpx.AsyncClient, state: AppState, clock: FakeClock, factory: Factory, scenario: Scenario
) -> None:
    amk = await factory.api_client(scopes=(Scope.ALERTS_READ,))
    receiver = WebhookReceiver()
    async with receiver.serving():
        await create_endpoint(http, amk, receiver.url)
        receiver.down()
        await enqueue(state, clock, amk)
        max_attempts = state.settings.webhooks.max_attempts
        for _ in range(max_attempts):
            assert await scenario.settle() == 1
            clock.advance(timedelta(hours=1))
        assert await scenario.settle() == 0
        amk.token = await factory.token(amk)  # hours later
        [delivery] = await deliveries(http, amk)
        assert (delivery["status"], delivery["attempts"]) == ("failed", max_attempts)
        assert delivery["last_error"] == "HTTP 503" and delivery["next_attempt_at"] is None
        assert len(receiver.refused) == max_attempts

        receiver.up()
        path = f"/v1/webhook-deliveries/{delivery['id']}/resend"
        resent = await http.post(path, headers=amk.headers)
        assert resent.status_code == 202, resent.text
        assert (resent.json()["status"], resent.json()["attempts"]) == ("pending", 0)
        again = await http.post(path, headers=amk.headers)
        assert again.status_code == 409, "a waiting delivery is not queued twice"
        assert await scenario.settle() == 1
        clock.advance(timedelta(minutes=3))
        assert (await http.post(path, headers=amk.headers)).status_code == 202
        assert await scenario.settle() == 1

    first, second = receiver.received
    assert first.webhook_id == second.webhook_id == delivery["webhook_id"]
    assert first.body == second.body == receiver.refused[0].body
    assert first.headers["webhook-signature"] != second.headers["webhook-signature"]
    [delivered] = await deliveries(http, amk)
    assert (delivered["status"], delivered["attempts"]) == ("delivered", 1)


async def test_a_delivery_that_fails_after_the_age_limit_is_given_up(
    http: httpx.AsyncClient, state: AppState, clock: FakeClock, factory: Factory, scenario: Scenario
) -> None:
    amk = await factory.api_client(scopes=(Scope.ALERTS_READ,))
    receiver = WebhookReceiver()
    async with receiver.serving():
        await create_endpoint(http, amk, receiver.url)
        await enqueue(state, clock, amk)  # the worker was not running for three days
    clock.advance(timedelta(hours=state.settings.webhooks.max_age_hours))
    assert await scenario.settle() == 1
    amk.token = await factory.token(amk)  # days later
    [delivery] = await deliveries(http, amk)
    assert (delivery["status"], delivery["attempts"]) == ("failed", 1)


async def test_one_clients_dead_endpoint_holds_up_nobody_else(
    http: httpx.AsyncClient, state: AppState, clock: FakeClock, factory: Factory, scenario: Scenario
) -> None:
    down = await factory.api_client(scopes=(Scope.ALERTS_READ,))
    up = await factory.api_client(scopes=(Scope.ALERTS_READ,))
    receiver = WebhookReceiver()
    async with receiver.serving():
        await create_endpoint(http, down, WebhookReceiver().url)  # never served: refused
        await create_endpoint(http, up, receiver.url)
        for _ in range(2):
            await enqueue(state, clock, down)
            await enqueue(state, clock, up)
        assert await scenario.settle() == 3
    assert [d["status"] for d in await deliveries(http, up)] == ["delivered", "delivered"]
    assert [d["status"] for d in await deliveries(http, down)] == ["pending", "pending"]


async def test_deactivating_the_endpoint_gives_up_what_waits(
    http: httpx.AsyncClient, state: AppState, clock: FakeClock, factory: Factory, scenario: Scenario
) -> None:
    amk = await factory.api_client(scopes=(Scope.ALERTS_READ,))
    receiver = WebhookReceiver()
    async with receiver.serving():
        await create_endpoint(http, amk, receiver.url)
        receiver.down()
        await enqueue(state, clock, amk)
        await enqueue(state, clock, amk)
        await scenario.settle()
        assert (await http.delete("/v1/webhook-endpoint", headers=amk.headers)).status_code == 204
        receiver.up()
        clock.advance(timedelta(minutes=1))
        assert await scenario.settle() == 2
    assert receiver.received == []
    listed = await deliveries(http, amk)
    assert [(d["status"], d["last_error"]) for d in listed] == [
        ("failed", "the webhook endpoint is deactivated")
    ] * 2
    resend = await http.post(
        f"/v1/webhook-deliveries/{listed[0]['id']}/resend", headers=amk.headers
    )
    assert resend.status_code == 409


async def test_a_claim_whose_worker_died_is_posted_after_the_lease(
    http: httpx.AsyncClient, state: AppState, clock: FakeClock, factory: Factory, scenario: Scenario
) -> None:
    amk = await factory.api_client(scopes=(Scope.ALERTS_READ,))
    receiver = WebhookReceiver()
    async with receiver.serving():
        await create_endpoint(http, amk, receiver.url)
        await enqueue(state, clock, amk)
        async with state.sessions() as session, session.begin():  # claimed, then the crash
            lease_until = clock.now() + timedelta(seconds=40)
            claimed = await repository.claim_due(
                session, now=clock.now(), lease_until=lease_until, limit=10
            )
        assert len(claimed) == 1
        assert await scenario.settle() == 0
        clock.advance(timedelta(seconds=41))
        assert await scenario.settle() == 1
    [webhook] = receiver.received
    assert json.loads(webhook.body)["type"] == "alert.acknowledged"
    [delivery] = await deliveries(http, amk)
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 2)


async def test_a_worker_made_from_the_settings_alone_posts_webhooks(
    http: httpx.AsyncClient, state: AppState, clock: FakeClock, factory: Factory
) -> None:
    amk = await factory.api_client(scopes=(Scope.ALERTS_READ,))
    worker = Worker(
        sessions=state.sessions, sender=state.sender, clock=clock, settings=state.settings
    )
    receiver = WebhookReceiver()
    async with receiver.serving():
        await create_endpoint(http, amk, receiver.url)
        await enqueue(state, clock, amk)
        assert await worker.run_until_idle() == 1
    assert len(receiver.received) == 1


async def test_a_receiver_that_does_not_answer_times_out_and_is_retried(
    http: httpx.AsyncClient, state: AppState, clock: FakeClock, factory: Factory
) -> None:
    amk = await factory.api_client(scopes=(Scope.ALERTS_READ,))
    quick = state.settings.model_copy(update={"webhooks": WebhookSettings(timeout_seconds=0.2)})
    engine = WebhookEngine(
        sessions=state.sessions, clock=clock, settings=quick, cipher=state.cipher
    )
    receiver = WebhookReceiver()
    async with receiver.serving():
        await create_endpoint(http, amk, receiver.url)
        await enqueue(state, clock, amk)
        receiver.hang()
        assert await engine.run_once(clock.now()) == 1, "the round ends at the deadline"
        receiver.release()
        [delivery] = await deliveries(http, amk)
        assert (delivery["status"], delivery["last_error"]) == ("pending", "not delivered")
        clock.advance(BACKOFF[0])
        assert await engine.run_once(clock.now()) == 1
    [delivered] = await deliveries(http, amk)
    assert (delivered["status"], delivered["attempts"]) == ("delivered", 2)
