"""A burst of alerts in one municipality never holds up paging in another: an SMS goes out
while the cluster check over 20 000 alerts in one window is still running (issue 18)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, select
from sqlmodel import col

from app.alerts.models import Alert
from app.clock import FakeClock
from app.drug_warnings.signals.models import Signal
from app.notify.console_sender import ConsoleSender
from app.state import AppState
from tests.factories import Factory, alert_body
from tests.waiting import wait_for

BURST = 20_000
FEDERAL = "3107"
NEIGHBOUR = "0301"


async def burst(state: AppState, template_id: str, count: int, clock: FakeClock) -> None:
    """`count` copies of the alert `template_id`, each an alert of its own, received just now
    and happened within the last five hours: one window, as a client looping on POST
    /v1/alerts would leave them (inserted in bulk: posting 20 000 takes minutes)."""
    table: Any = Alert.__table__  # type: ignore[attr-defined]
    now = clock.now()
    async with state.sessions() as session, session.begin():
        statement = select(table).where(table.c.id == uuid.UUID(template_id))
        template = (await session.execute(statement)).one()._asdict()
        rows = [
            {
                **template,
                "id": uuid.uuid4(),
                "dispatch_incident_hash": f"BURST-{i}",
                "occurred_at": now - timedelta(hours=5) + timedelta(seconds=i * 0.9),
                "received_at": now,
            }
            for i in range(count)
        ]
        for start in range(0, count, 2000):
            await session.execute(insert(table), rows[start : start + 2000])


@pytest.fixture
def statements(state: AppState) -> Iterator[list[tuple[str, Any]]]:
    """The statements the database ran while the test ran, with their parameters, each as
    it began."""
    seen: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:
        seen.append((args[2], args[3]))

    event.listen(state.engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(state.engine.sync_engine, "before_cursor_execute", record)


@pytest.fixture
async def held_computing() -> AsyncIterator[threading.Event]:
    """The event loop's threads for blocking work (`asyncio.to_thread`) one only, busy until
    the event is set: work sent there waits, as it would behind a long computation. Nothing
    on the paging path computes there."""
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
    release = threading.Event()
    held = loop.run_in_executor(None, release.wait)
    yield release
    release.set()
    await held


def began_reading(statements: list[tuple[str, Any]]) -> bool:
    """Whether a cluster check began to read the alerts of its window."""
    return any("alert.occurred_at >=" in statement for statement, _ in statements)


def recorded(statements: list[tuple[str, Any]], code: str) -> bool:
    """Whether a cluster check of `code` recorded its time: the end of the check."""
    return any(
        "INSERT INTO cluster_check" in statement and code in parameters
        for statement, parameters in statements
    )


async def test_a_page_goes_out_while_a_burst_is_checked(
    state: AppState,
    factory: Factory,
    clock: FakeClock,
    statements: list[tuple[str, Any]],
    held_computing: threading.Event,
) -> None:
    """20 000 alerts in one window of Fredrikstad, and the worker's lanes running: the
    cluster check of them begins (it reads them; its computing, in a thread, waits there
    until released, as a long computation would run on), then an alert for Oslo is paged
    while that check still runs; released, the check raises its signal of 20 000. When the
    check held the event loop, as it did, the page waited for it to end (over a minute for
    20 000), and on SQLite the intake of the Oslo alert failed on the held database."""
    amk = await factory.api_client(municipalities=(FEDERAL, NEIGHBOUR))
    team = await factory.team(municipality=NEIGHBOUR)
    on_duty = team.mobiles[team.member_ids[0]]
    earlier = (clock.now() - timedelta(hours=12)).isoformat()  # outside the burst's window
    template = alert_body(municipality=FEDERAL, occurred_at=earlier)
    template.pop("naloxone", None)  # its dose time would have to follow the overdose
    await burst(state, await factory.post_alert(amk, template), BURST, clock)
    sender = state.sender
    assert isinstance(sender, ConsoleSender)
    worker = state.worker
    running = asyncio.create_task(worker.run())
    try:
        await wait_for(lambda: began_reading(statements), within=60)
        await factory.post_alert(amk, alert_body(municipality=NEIGHBOUR))
        await wait_for(lambda: any(sms.to == on_duty for sms in sender.outbox), within=60)
        assert not recorded(statements, FEDERAL), "paged while the check of the burst runs"
        assert await signal_sizes(state, FEDERAL) == []

        held_computing.set()
        await wait_for(lambda: recorded(statements, FEDERAL), within=120)
    finally:
        held_computing.set()  # else a failed test would wait on the held thread for ever
        worker.stop()
        await running
    assert await signal_sizes(state, FEDERAL) == [BURST], "the check went over the burst"


async def signal_sizes(state: AppState, code: str) -> list[int]:
    async with state.sessions() as session:
        statement = select(Signal).where(col(Signal.municipality_code) == code)
        return [s.event_count for s in (await session.execute(statement)).scalars()]
