"""A restart loses nothing: the service started again on the same database pages again.

And when a round does fail on the database, the log says which constraint of which table,
with no values.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.clock import FakeClock
from app.config import Settings
from app.config.sections import WorkerSettings
from app.db import describe_error
from app.main import create_app
from app.notify.console_sender import ConsoleSender
from app.notify.dispatcher import Dispatcher
from app.notify.outcomes import Outcome, OutcomeHandlers
from app.notify.sms import DeliveryState, SendResult, SmsMessage
from app.state import AppState
from tests.factories import Factory, alert_body
from tests.waiting import wait_for


async def page_once(app: FastAPI, clock: FakeClock, *, again: bool) -> str:
    """Run the app (lifespan, worker in the app), post one alert, wait for it to be notified."""
    async with app.router.lifespan_context(app):
        state: AppState = app.state.odvarsel
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            factory = Factory(state=state, http=http, clock=clock)
            if again:  # the database has the municipalities and a team already
                factory._municipalities_added = True
                factory._own_teams.add("3107")
            amk = await factory.api_client()
            alert_id = await factory.post_alert(amk, alert_body())
            sender = state.sender
            assert isinstance(sender, ConsoleSender)
            await wait_for(lambda: len(sender.outbox) == 1, within=20)
            for _ in range(500):
                response = await http.get(f"/v1/alerts/{alert_id}", headers=amk.headers)
                if response.json()["status"] == "notified":
                    return alert_id
                await asyncio.sleep(0.02)
            raise AssertionError(f"alert still {response.json()['status']} after its SMS")


async def test_the_service_pages_again_after_a_restart_on_the_same_database(
    settings: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    in_app = settings.model_copy(
        update={"worker": WorkerSettings(run_in_app=True, poll_interval_seconds=0.05)}
    )
    first = await page_once(create_app(in_app, clock=clock), clock, again=False)
    second = await page_once(create_app(in_app, clock=clock), clock, again=True)
    assert first != second
    app = create_app(in_app, clock=clock)
    async with app.router.lifespan_context(app), app.state.odvarsel.engine.connect() as db:
        rows = (await db.execute(text("SELECT status, provider_id FROM outbox_message"))).all()
    assert sorted(status for status, _ in rows) == ["delivered", "delivered"]
    assert len({provider_id for _, provider_id in rows}) == 2, "ids unique across processes"
    capsys.readouterr()  # the console sender printed the SMS


class SameIdSender(ConsoleSender):
    """The old console sender's flaw on purpose: every process starts at the same id."""

    async def send(self, message: SmsMessage) -> SendResult:
        await super().send(message)
        return SendResult(provider_id="CONSOLE-1", state=DeliveryState.DELIVERED)


async def test_a_failed_record_logs_the_constraint_and_table_and_no_values(
    factory: Factory,
    state: AppState,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    team = await factory.team(member_names=("Ada Lund", "Bo Dahl"))
    amk = await factory.api_client()
    await factory.post_alert(amk, alert_body())
    await factory.post_alert(amk, alert_body())
    worker = state.worker
    replaced = worker.engines.index(worker.dispatcher)
    worker.dispatcher = Dispatcher(
        sessions=state.sessions,
        sender=SameIdSender(clock),
        clock=clock,
        settings=state.settings,
        outcomes=state.outcomes,
    )
    worker.engines[replaced] = worker.dispatcher
    with caplog.at_level(logging.ERROR):
        await worker.run_once()  # the escalations write both SMS
        await worker.run_once()  # both are sent: only one can keep the provider id
    [record] = [r for r in caplog.records if r.message.startswith("sms outcome could not")]
    fields = record.__dict__
    assert fields["error_type"] == "IntegrityError"
    assert fields["table"] == "outbox_message"
    assert fields["constraint"] in ("uq_outbox_message_provider_id", "UNIQUE")
    assert fields.get("columns", "provider_id") == "provider_id"
    logged = " ".join(f"{r.message} {r.__dict__}" for r in caplog.records)
    assert "CONSOLE-1" not in logged and team.mobiles[team.member_ids[0]] not in logged
    capsys.readouterr()


async def test_describe_error_names_constraint_and_table_on_this_database(state: AppState) -> None:
    async with state.sessions() as session:
        with pytest.raises(IntegrityError) as raised:
            async with session.begin():
                at = state.clock.now()
                await session.execute(
                    text("INSERT INTO worker_heartbeat VALUES ('w', :at), ('w', :at)"),
                    {"at": at.replace(tzinfo=None) if state.settings.is_sqlite else at},
                )
    fields = describe_error(raised.value)
    assert fields["error_type"] == "IntegrityError"
    if state.settings.is_sqlite:
        assert (fields["constraint"], fields["table"], fields["columns"]) == (
            "UNIQUE",
            "worker_heartbeat",
            "worker_id",
        )
    else:
        assert fields["sqlstate"] == "23505"
        assert (fields["constraint"], fields["table"]) == (
            "pk_worker_heartbeat",
            "worker_heartbeat",
        )
    assert "'w'" not in str(fields)


async def test_a_failing_outcome_handler_keeps_the_others_and_the_record(
    state: AppState, caplog: pytest.LogCaptureFixture
) -> None:
    heard: list[str] = []

    async def broken(session: object, outcome: Outcome) -> bool:
        raise RuntimeError("boom")

    async def listening(session: object, outcome: Outcome) -> bool:
        heard.append(outcome.purpose)
        return True

    handlers = OutcomeHandlers()
    handlers.register("alert", broken)
    handlers.register("alert", listening)
    handlers.register("other", broken)
    outcome = Outcome(
        message_id=uuid.uuid4(),
        subject_kind="alert",
        subject_id=uuid.uuid4(),
        purpose="alert",
        context={},
        state=DeliveryState.FAILED,
        at=state.clock.now(),
    )
    async with state.sessions() as session, session.begin():
        with caplog.at_level(logging.ERROR):
            assert await handlers.report(session, outcome) is True
    assert heard == ["alert"]
    [record] = caplog.records
    assert record.message == "outcome handler failed" and record.__dict__["error_type"] == (
        "RuntimeError"
    )
