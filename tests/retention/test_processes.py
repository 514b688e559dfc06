"""Two `odvarsel retention run` processes at once purge each due alert exactly once."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.cli import PROJECT
from app.clock import FakeClock, SystemClock
from app.state import AppState
from tests.retention.harness import close, desk, opened
from tests.scenario import Scenario

pytestmark = pytest.mark.wall_clock

ALERTS = 5


@pytest.fixture
def clock() -> FakeClock:
    """The commands read the wall clock, so the scenario happens two days before it: due on
    any day. Safe when CI moves the clock: faketime is inherited by the processes, which
    then read the same shifted time as this one."""
    return FakeClock(SystemClock().now() - timedelta(days=2))


async def test_two_processes_at_once_purge_each_due_alert_exactly_once(
    scenario: Scenario, state: AppState
) -> None:
    """Two `odvarsel retention run` processes side by side, on the wall clock: the cases
    closed two days before it are past a one-day period."""
    await desk(scenario)
    for _ in range(ALERTS):
        _, case_id = await opened(scenario)
        await close(scenario, case_id)
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT),
        "DATABASE_URL": state.settings.database_url,
        "DATA_DIR": str(state.settings.data_dir),  # the same development keys
        "RETENTION__CASE_DAYS": "1",
        "RETENTION__BATCH_SIZE": "2",
    }
    command = [sys.executable, "-m", "app.cli", "retention", "run"]
    await state.engine.dispose()  # no connection of ours holds a lock meanwhile
    runs = await asyncio.gather(
        *(
            asyncio.create_subprocess_exec(
                *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
            )
            for _ in range(2)
        )
    )
    outputs = [await run.communicate() for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err.decode() for _, err in outputs]
    purged = [
        int(line.split(": ")[1])
        for out, _ in outputs
        for line in out.decode().splitlines()
        if line.startswith("case: ")
    ]
    assert sum(purged) == ALERTS, purged
    async with state.engine.connect() as connection:
        logged = await connection.execute(
            text("SELECT sum(count) FROM retention_run WHERE category = 'case'")
        )
        assert logged.scalar_one() == ALERTS
