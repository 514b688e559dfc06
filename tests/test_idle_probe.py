"""The worker's idle probe (app/idle_probe.py): one statement a poll says which lanes have
work due, on both databases; an idle worker stays within 2 round trips a poll (PostgreSQL,
where they are round trips)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from app.config import Settings
from app.config.sections import WorkerSettings
from app.heartbeat import WorkerHeartbeat
from app.state import AppState
from app.worker import PAGING_LANE
from tests.databases import BACKEND
from tests.scenario import Scenario
from tests.waiting import wait_for

POLL_SECONDS = 0.02


async def test_the_probe_wakes_each_lane_when_its_work_is_due(
    scenario: Scenario, state: AppState
) -> None:
    worker = state.worker
    assert await worker.probe_once() == ["clusters"], "it has not looked yet"
    await worker.run_once()
    assert await worker.probe_once() == []

    team = await scenario.team()
    alert = await scenario.alert()
    assert await worker.probe_once() == [PAGING_LANE, "clusters"], "a new alert to page, check"

    await scenario.settle()
    assert await worker.probe_once() == [], "paged and sent: nothing due until the next step"

    scenario.advance(timedelta(hours=1))
    assert await worker.probe_once() == [PAGING_LANE], "not taken: the next step is due"
    await scenario.settle()

    await scenario.take(alert, team.member_ids[0])
    await scenario.settle()
    assert await worker.probe_once() == []
    scenario.advance(timedelta(days=3))
    assert "followup" in await worker.probe_once(), "a follow-up deadline has come"


async def test_the_probe_records_the_heartbeat_once_paging_is_sound(state: AppState) -> None:
    worker = state.worker
    await worker.probe_once()
    assert await heartbeats(state) == [], "no paging round yet: nothing to vouch for"
    await worker.run_once()  # the first paging round records the first heartbeat
    first = await heartbeats(state)
    assert len(first) == 1
    state.clock.advance(timedelta(seconds=5))  # type: ignore[attr-defined]
    await worker.probe_once()
    assert await heartbeats(state) == [first[0] + timedelta(seconds=5)]


async def heartbeats(state: AppState) -> list[Any]:
    async with state.sessions() as session:
        statement = select(WorkerHeartbeat.round_completed_at)  # type: ignore[call-overload]
        return list((await session.execute(statement)).scalars())


@pytest.fixture
def settings(settings: Settings) -> Settings:
    worker = WorkerSettings(run_in_app=False, poll_interval_seconds=POLL_SECONDS)
    return settings.model_copy(update={"worker": worker})


@pytest.fixture
def round_trips(state: AppState) -> Iterator[Counter[str]]:
    """Statements, BEGINs and COMMITs/ROLLBACKs sent to the server, and probes made."""
    counts: Counter[str] = Counter()

    def autocommit(connection: Any) -> bool:
        return bool(connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT")

    def statement(_conn: Any, _cursor: Any, text: str, *_: Any) -> None:
        counts["round_trips"] += 1
        counts["probes"] += "AS due_0" in text  # app/idle_probe.py labels its answers
        counts[" ".join(text.split())[:70]] += 1  # where they went, for a failure's message

    def transaction(connection: Any) -> None:
        if not autocommit(connection):
            counts["round_trips"] += 1
            counts["BEGIN/COMMIT/ROLLBACK"] += 1

    engine = state.engine.sync_engine
    listeners: list[tuple[str, Callable[..., None]]] = [
        ("before_cursor_execute", statement),
        ("begin", transaction),
        ("commit", transaction),
        ("rollback", transaction),
    ]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    yield counts
    for name, listener in listeners:
        event.remove(engine, name, listener)


@pytest.mark.skipif(BACKEND != "postgresql", reason="round trips to a server: PostgreSQL")
async def test_an_idle_worker_makes_at_most_two_round_trips_a_poll(
    scenario: Scenario, state: AppState, round_trips: Counter[str]
) -> None:
    """Each lane used to ask for itself every poll: 19 round trips a second."""
    await scenario.team()
    await scenario.alert()
    await scenario.settle()
    running = asyncio.create_task(state.worker.run())
    try:
        await wait_for(lambda: round_trips["probes"] >= 20, within=30)  # first rounds done
        before = Counter(round_trips)
        await wait_for(lambda: round_trips["probes"] >= before["probes"] + 200, within=60)
        after = Counter(round_trips)
    finally:
        state.worker.stop()
        await running
    polls = after["probes"] - before["probes"]
    per_poll = (after["round_trips"] - before["round_trips"]) / polls
    where = (after - before).most_common(8)
    assert per_poll <= 2, f"{per_poll:.2f} round trips a poll: {where}"
