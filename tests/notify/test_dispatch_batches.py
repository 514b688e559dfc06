"""The dispatcher records the outcomes of sends that returned together in one transaction,
and each on its own when that fails, so one message that cannot be recorded loses no other."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import event, select

from app.notify.dispatcher import Dispatcher
from app.notify.models import OutboxMessage, OutboxStatus
from app.state import AppState
from tests.scenario import Scenario

ALERTS = 5


async def pages_ready(scenario: Scenario, state: AppState) -> datetime:
    """ALERTS alerts paged by the escalation engine, their SMS waiting in the outbox."""
    await scenario.team()
    for _ in range(ALERTS):
        await scenario.alert()
    now = scenario.clock.now()
    await state.worker.engines[0].run_once(now)  # escalation: writes the SMS, sends none
    return now


async def statuses(state: AppState) -> list[str]:
    async with state.sessions() as session:
        result = await session.execute(select(OutboxMessage.status))  # type: ignore[call-overload]
        return sorted(str(status) for status in result.scalars())


@pytest.fixture
def transactions(state: AppState) -> Iterator[list[int]]:
    begun: list[int] = []

    def begin(_connection: Any) -> None:
        begun.append(1)

    engine = state.engine.sync_engine
    event.listen(engine, "begin", begin)
    yield begun
    event.remove(engine, "begin", begin)


async def test_outcomes_that_come_together_are_recorded_together(
    scenario: Scenario, state: AppState, transactions: list[int]
) -> None:
    now = await pages_ready(scenario, state)
    transactions.clear()
    assert await state.worker.dispatcher.run_once(now) == ALERTS
    assert await statuses(state) == [OutboxStatus.DELIVERED.value] * ALERTS  # the console's
    # The claim, then the records: those whose sends returned first, then the rest (the
    # console sender returns at once; one transaction per message before, six in all).
    assert len(transactions) <= 3


async def test_a_message_that_cannot_be_recorded_loses_no_other(
    scenario: Scenario, state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = await pages_ready(scenario, state)
    record = Dispatcher._record
    broken: list[object] = []

    async def record_or_fail(self: Dispatcher, session: Any, message: Any, outcome: Any) -> None:
        if not broken or message.id == broken[0]:
            broken[:1] = [message.id]
            raise RuntimeError("this one cannot be recorded")
        await record(self, session, message, outcome)

    monkeypatch.setattr(Dispatcher, "_record", record_or_fail)
    assert await state.worker.dispatcher.run_once(now) == ALERTS
    expected = [OutboxStatus.DELIVERED.value] * (ALERTS - 1) + [OutboxStatus.SENDING.value]
    assert await statuses(state) == sorted(expected), "the lease resends the one"
