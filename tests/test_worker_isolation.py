"""One escalation that cannot advance is retried later and never holds up the others; a
long round of another lane never holds up a page."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from app.escalation.engine.round import RETRY_LATER
from app.escalation.policy.rules import DEFAULT_POLICY
from app.followup.cases.engine import FollowupEngine
from app.notify.console_sender import ConsoleSender
from app.state import AppState
from tests.factories import Factory, alert_body
from tests.scenario import Scenario
from tests.waiting import wait_for


async def test_a_broken_policy_holds_up_only_its_own_team(
    scenario: Scenario, state: AppState
) -> None:
    scenario.municipalities = ("3107", "0301")
    broken = await scenario.team(municipality="3107", policy=DEFAULT_POLICY)
    healthy = await scenario.team(municipality="0301")
    async with state.sessions() as session, session.begin():
        await session.execute(text('UPDATE escalation_step SET targets = \'[{"kind": "nobody"}]\''))
    await scenario.alert(municipality="3107")
    await scenario.alert(municipality="0301")

    await scenario.settle()
    sender = state.sender
    assert isinstance(sender, ConsoleSender)
    assert [sms.to for sms in sender.outbox] == [healthy.mobiles[healthy.member_ids[0]]]

    async with state.sessions() as session, session.begin():
        await session.execute(text("DELETE FROM escalation_step"))  # back to the default policy
        await session.execute(text("DELETE FROM escalation_policy"))
    await scenario.fast_forward(RETRY_LATER - timedelta(seconds=1))
    assert len(sender.outbox) == 1, "the broken escalation waits before it is retried"
    await scenario.fast_forward(timedelta(seconds=1))
    assert sender.outbox[-1].to == broken.mobiles[broken.member_ids[0]]


async def test_a_long_follow_up_round_does_not_hold_up_a_page(
    factory: Factory, state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Follow-up deadlines run in a lane of their own: while a follow-up round goes on (here
    it waits until released, as a round over a backlog of cases would take its time), the
    paging lane still pages. In the paging lane, it held every SMS behind it."""
    began, release = asyncio.Event(), asyncio.Event()

    async def long_round(_engine: FollowupEngine, _now: datetime) -> int:
        began.set()
        await release.wait()
        return 0

    monkeypatch.setattr(FollowupEngine, "run_once", long_round)
    team = await factory.team(municipality="0301")
    amk = await factory.api_client(municipalities=("0301",))
    sender = state.sender
    assert isinstance(sender, ConsoleSender)
    running = asyncio.create_task(state.worker.run())
    try:
        await wait_for(began.is_set, within=30)
        await factory.post_alert(amk, alert_body(municipality="0301"))
        on_duty = team.mobiles[team.member_ids[0]]
        await wait_for(lambda: any(sms.to == on_duty for sms in sender.outbox), within=30)
        assert not release.is_set(), "the follow-up round still runs"
    finally:
        release.set()
        state.worker.stop()
        await running
