"""One escalation that cannot advance is retried later and never holds up the others."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from app.clock import FakeClock
from app.escalation.engine.manager import RETRY_LATER
from app.escalation.policy.rules import DEFAULT_POLICY
from app.notify.console_sender import ConsoleSender
from app.state import AppState
from tests.factories import Factory, alert_body


async def test_a_broken_policy_holds_up_only_its_own_team(
    factory: Factory, state: AppState, clock: FakeClock
) -> None:
    broken = await factory.team(municipality="3107", policy=DEFAULT_POLICY)
    healthy = await factory.team(municipality="0301")
    amk = await factory.api_client(municipalities=("3107", "0301"))
    async with state.sessions() as session, session.begin():
        await session.execute(text('UPDATE escalation_step SET targets = \'[{"kind": "nobody"}]\''))
    await factory.post_alert(amk, alert_body(municipality="3107"))
    await factory.post_alert(amk, alert_body(municipality="0301"))

    await state.worker.run_until_idle()
    sender = state.sender
    assert isinstance(sender, ConsoleSender)
    assert [sms.to for sms in sender.outbox] == [healthy.mobiles[healthy.member_ids[0]]]

    async with state.sessions() as session, session.begin():
        await session.execute(text("DELETE FROM escalation_step"))  # back to the default policy
        await session.execute(text("DELETE FROM escalation_policy"))
    clock.advance(RETRY_LATER - timedelta(seconds=1))
    await state.worker.run_until_idle()
    assert len(sender.outbox) == 1, "the broken escalation waits before it is retried"
    clock.advance(timedelta(seconds=1))
    await state.worker.run_until_idle()
    assert sender.outbox[-1].to == broken.mobiles[broken.member_ids[0]]
