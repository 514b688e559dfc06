"""Two retention engines at once (two workers, each with its own connections) neither conflict
nor purge twice: each due alert is purged exactly once and the log's counts add up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.config.sections import RetentionSettings
from app.db import create_engine, create_sessionmaker
from app.retention.engine import run_pass
from app.retention.rules import Category
from app.state import AppState
from tests.retention.harness import DAYS, close, desk, opened
from tests.scenario import Scenario

ALERTS = 5
Pool = async_sessionmaker[AsyncSession]


@pytest.fixture
def small_batches(state: AppState) -> Settings:
    """Batches of two, so that the engines take turns over several batches each."""
    return state.settings.model_copy(update={"retention": RetentionSettings(batch_size=2)})


@pytest.fixture
async def two_pools(
    small_batches: Settings,
) -> AsyncIterator[list[async_sessionmaker[AsyncSession]]]:
    engines = [create_engine(small_batches) for _ in range(2)]
    yield [create_sessionmaker(engine) for engine in engines]
    for engine in engines:
        await engine.dispose()


async def test_two_engines_at_once_purge_each_due_alert_exactly_once(
    scenario: Scenario,
    state: AppState,
    small_batches: Settings,
    two_pools: list[Pool],
) -> None:
    await desk(scenario)
    for _ in range(ALERTS):
        _, case_id = await opened(scenario)
        await close(scenario, case_id)
    scenario.advance(90 * DAYS)
    now = state.clock.now()

    async def at_once() -> list[int]:
        passes = await asyncio.gather(
            *(run_pass(p, settings=small_batches, cipher=state.cipher, now=now) for p in two_pools)
        )
        return [done[Category.CASE] for done in passes]

    by_engine = await at_once()

    async with state.engine.connect() as connection:
        purged = (
            await connection.execute(text("SELECT count(*) FROM alert WHERE purged_at IS NOT NULL"))
        ).scalar_one()
        logged = (
            await connection.execute(
                text("SELECT sum(count) FROM retention_run WHERE category = 'case'")
            )
        ).scalar_one()
        frozen = (
            await connection.execute(text("SELECT count(*) FROM alert_fact WHERE frozen"))
        ).scalar_one()
    assert purged == ALERTS
    assert logged == ALERTS, "each alert is counted once in the log"
    assert frozen == ALERTS
    assert sum(by_engine) == ALERTS, by_engine
    assert await at_once() == [0, 0], "nothing is purged twice"
