"""Two `odvarsel worker` processes, nothing killed, a step that pages three members: every
member gets the page of every alert exactly once. The SIGKILL test beside it
(test_worker_processes.py) pages one member per alert and must allow a duplicate for each
SMS in flight at the kill; with no kill there is no excuse for one.
"""

from __future__ import annotations

import asyncio
import collections
import re
import signal
from pathlib import Path

import pytest
from sqlalchemy import text

from app.auth.links import service as member_links
from app.clock import FakeClock, SystemClock
from app.config import Settings
from app.escalation.policy.rules import Policy
from app.state import AppState
from devtools.fake_twilio import FakeTwilio
from tests.databases import BACKEND
from tests.factories import Factory, alert_body
from tests.scenario import page_members
from tests.sms.test_worker_processes import LEASE_SECONDS, start_worker
from tests.waiting import wait_for

pytestmark = [
    pytest.mark.skipif(
        BACKEND != "postgresql",
        reason="SKIP LOCKED and LISTEN/NOTIFY across processes: PostgreSQL",
    ),
    pytest.mark.wall_clock,
]

ALERTS = 60
TOKEN = re.compile(r"/a/([A-Za-z0-9]{12})")


@pytest.fixture
def clock() -> FakeClock:
    """The worker processes run on the real clock (see test_worker_processes.clock)."""
    return FakeClock(SystemClock().now())


async def test_two_workers_page_each_of_three_members_once_per_alert(
    factory: Factory,
    fake_twilio: FakeTwilio,
    settings: Settings,
    state: AppState,
    tmp_path: Path,
    clock: FakeClock,
) -> None:
    occurred_at = clock.now().isoformat().replace("+00:00", "Z")
    team = await factory.team()
    await factory.set_policy(team.team_id, Policy(steps=(page_members(*team.member_ids),)))
    amk = await factory.api_client()
    fake_twilio.set_behaviour("*", "deliver", delay_seconds=0.1)  # sends overlap
    workers = [start_worker(settings, fake_twilio, tmp_path) for _ in range(2)]
    try:
        posted = [
            await factory.post_alert(amk, alert_body(occurred_at=occurred_at))
            for _ in range(ALERTS)
        ]
        everyone = ALERTS * len(team.member_ids)
        await wait_for(lambda: len(fake_twilio.messages()) >= everyone, within=90)
        await asyncio.sleep(LEASE_SECONDS + 1.5)  # a lease run out would have been resent
        async with state.engine.connect() as connection:
            rows = await connection.execute(text("SELECT token_hash, alert_id FROM recipient_link"))
            alert_of = {token_hash: str(alert_id) for token_hash, alert_id in rows}
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
    assert [w.wait(timeout=20) for w in workers] == [0, 0]
    pages: collections.Counter[tuple[str, str]] = collections.Counter()
    for message in fake_twilio.messages():
        token = TOKEN.search(message.body)
        assert token, message.body
        pages[alert_of[member_links.token_hash(token.group(1))], message.to] += 1
    wanted = {(a, team.mobiles[m]) for a in posted for m in team.member_ids}
    assert set(pages) == wanted, "every member paged for every alert"
    assert {k: n for k, n in pages.items() if n != 1} == {}, "none twice"
