"""Two workers (two apps, each with its own engine and connections, as two `odvarsel worker`
processes have) page the same alerts through a whole escalation, steps, several members per
step and the leader's notice at the end, running at the same moments on one fake clock: every
member gets each SMS of each alert exactly as one worker alone sends them, none twice.

tests/sms/test_worker_processes.py runs real processes but on the real clock, so it sees only
each alert's first step (one member) and a SIGKILL; the later steps, whose rounds both
workers find due at once, are the ones that could run twice.
"""

from __future__ import annotations

import asyncio
import collections
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from app.clock import FakeClock
from app.config import Settings
from app.config.sections import WorkerSettings
from app.main import create_app
from app.notify.console_sender import ConsoleSender
from app.state import AppState
from tests.databases import settings_for
from tests.scenario import Scenario, page_members

ALERTS = 12


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Small batches, so that the two workers' rounds interleave on every await."""
    worker = WorkerSettings(run_in_app=False, batch_size=2, send_concurrency=2)
    return settings_for(database_url, tmp_path).model_copy(update={"worker": worker})


@pytest.fixture
async def other_worker(settings: Settings, clock: FakeClock) -> AsyncIterator[AppState]:
    """A second process's worker on the same database and clock."""
    app: FastAPI = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        yield app.state.odvarsel


def outbox(state: AppState) -> list[tuple[str, str]]:
    sender = state.sender
    assert isinstance(sender, ConsoleSender)
    return [(m.to, m.body) for m in sender.outbox]


Written = dict[uuid.UUID, collections.Counter[tuple[str, str]]]
"""Per alert: its messages by (number, purpose)."""


async def written(state: AppState) -> tuple[Written, collections.Counter[tuple[str, str]]]:
    """The alerts' messages in the outbox, per alert by (number, purpose); and every message
    written, as (number, body), with how often it was written, all of them sent."""
    async with state.engine.connect() as connection:
        rows = (
            await connection.execute(
                text("SELECT subject_id, to_number, purpose, body, status FROM outbox_message")
            )
        ).all()
    assert {status for *_, status in rows} == {"delivered"}, "every message sent"
    per_alert: Written = collections.defaultdict(collections.Counter)
    for subject, to, purpose, _, _ in rows:
        per_alert[uuid.UUID(str(subject))][to, purpose] += 1
    return per_alert, collections.Counter((to, body) for _, to, _, body, _ in rows)


async def run_escalations(workers: list[AppState], clock: FakeClock) -> None:
    """Both workers at once, then five minutes on, until neither finds anything to do."""
    for _ in range(8):
        done = await asyncio.gather(*(w.worker.run_until_idle() for w in workers))
        clock.advance(timedelta(minutes=5, seconds=1))
        if not any(done):
            return
    raise AssertionError("the escalations did not end")


async def test_two_workers_page_every_member_each_sms_of_a_whole_escalation_once(
    scenario: Scenario, other_worker: AppState, clock: FakeClock
) -> None:
    team = await scenario.team()
    ada, bo, cy = team.member_ids
    await scenario.policy(page_members(ada, bo), page_members(cy), repeat=1)
    one = scenario.state

    # One worker alone, for one alert: what each member gets of a whole escalation.
    first = await scenario.alert()
    await run_escalations([one], clock)
    alone = (await written(one))[0][first]
    assert {to for to, _ in alone} == {scenario.mobile(m) for m in (ada, bo, cy)}
    assert sum(alone.values()) >= 6, alone  # two steps, repeated once, the leader's notice

    for _ in range(ALERTS):
        await scenario.alert()
    await run_escalations([one, other_worker], clock)
    per_alert, messages = await written(one)
    assert set(per_alert) == set(scenario.alerts), "every alert paged"
    assert {a: c for a, c in per_alert.items() if c != alone} == {}, alone
    sent = collections.Counter(outbox(one) + outbox(other_worker))
    assert sent == messages, "each message written sent once, none twice"
    assert outbox(other_worker), "the second worker took part"
