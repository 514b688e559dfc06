"""Two `odvarsel worker` processes share one PostgreSQL: every SMS once, none lost on SIGKILL."""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from sqlalchemy import text

from app.auth.links import service as member_links
from app.clock import FakeClock, SystemClock
from app.config import Settings
from app.state import AppState
from devtools.fake_twilio import FakeTwilio
from tests.databases import BACKEND
from tests.factories import Factory, alert_body
from tests.sms.conftest import TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN
from tests.waiting import wait_for

pytestmark = [
    pytest.mark.skipif(
        BACKEND != "postgresql",
        reason="SKIP LOCKED and LISTEN/NOTIFY across processes: PostgreSQL",
    ),
    pytest.mark.wall_clock,
]


@pytest.fixture
def clock() -> FakeClock:
    """The worker processes run on the real clock, so the app's time must be now, not START.

    Safe when CI moves the clock: faketime works by LD_PRELOAD and FAKETIME in the
    environment, which the workers inherit (start_worker passes os.environ on), so this
    process and its workers see the same shifted time. Nothing here compares that time
    with a fixed date; the outbox's due and lease times only need the processes to agree.
    """
    return FakeClock(SystemClock().now())


ALERTS = 500
SEND_CONCURRENCY = 8
LEASE_SECONDS = 5.0  # long enough that a loaded machine never lets a live send lapse


def start_worker(settings: Settings, fake: FakeTwilio, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "SMS__BACKEND": "twilio",
        "SMS__TWILIO_BASE_URL": fake.base_url,
        "SMS__TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
        "SMS__TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT_SID,
        "HTTP__PUBLIC_BASE_URL": settings.http.public_base_url,
        "WORKER__SEND_CONCURRENCY": str(SEND_CONCURRENCY),
        "WORKER__SEND_LEASE_SECONDS": str(LEASE_SECONDS),
        "WORKER__POLL_INTERVAL_SECONDS": "0.5",
    }
    odvarsel = Path(sys.executable).parent / "odvarsel"
    with (data_dir / "worker.log").open("ab") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            [odvarsel, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=log
        )


def sms_per_link(fake: FakeTwilio) -> collections.Counter[str]:
    """SMS per link token: every SMS written has its own, a resent one the same."""
    return collections.Counter(m.body.rsplit("/a/", 1)[1][:12] for m in fake.messages())


async def alerts_of(state: AppState, tokens: Iterable[str]) -> set[str]:
    """The alerts the links belong to (links are stored only as hashes)."""
    async with state.engine.connect() as connection:
        rows = await connection.execute(text("SELECT token_hash, alert_id FROM recipient_link"))
        alert_of = {token_hash: str(alert_id) for token_hash, alert_id in rows}
    return {alert_of[member_links.token_hash(token)] for token in tokens}


async def test_two_workers_send_every_sms_once_and_survive_a_sigkill(
    factory: Factory,
    fake_twilio: FakeTwilio,
    settings: Settings,
    state: AppState,
    tmp_path: Path,
    clock: FakeClock,
) -> None:
    # The alerts happened now: the example's fixed time is more than a year before a clock
    # that runs years ahead (faketime, or simply a later day).
    occurred_at = clock.now().isoformat().replace("+00:00", "Z")
    await factory.team()
    amk = await factory.api_client()
    fake_twilio.set_behaviour("*", "deliver", delay_seconds=0.2)  # sends take time: in flight
    workers = [start_worker(settings, fake_twilio, tmp_path) for _ in range(2)]
    try:
        posted: list[str] = []

        async def post_all() -> None:
            for _ in range(0, ALERTS, 25):
                posted.extend(
                    await asyncio.gather(
                        *(
                            factory.post_alert(amk, alert_body(occurred_at=occurred_at))
                            for _ in range(25)
                        )
                    )
                )

        posting = asyncio.create_task(post_all())
        await wait_for(lambda: len(sms_per_link(fake_twilio)) >= ALERTS // 4, within=60)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait()
        async with state.engine.connect() as connection:
            in_flight = (
                await connection.execute(
                    text("SELECT count(*) FROM outbox_message WHERE status = 'sending'")
                )
            ).scalar_one()
        sent_before_restart = len(sms_per_link(fake_twilio))
        assert sent_before_restart < ALERTS, "the kill came too late to prove anything"
        workers[0] = start_worker(settings, fake_twilio, tmp_path)
        await posting
        assert len(set(posted)) == ALERTS

        # One on duty: each alert's first step is one SMS with a link of its own.
        await wait_for(lambda: len(sms_per_link(fake_twilio)) >= ALERTS, within=90)
        await asyncio.sleep(LEASE_SECONDS + 1.5)  # any expired lease has been resent by now
        counts = sms_per_link(fake_twilio)
        duplicates = sum(n - 1 for n in counts.values())
        print(
            f"\nSIGKILL: in flight {in_flight}, duplicates {duplicates}, "
            f"sent before restart {sent_before_restart}"
        )
        assert len(counts) == ALERTS and await alerts_of(state, counts) == set(posted), (
            "no alert lost"
        )
        assert duplicates <= min(in_flight, SEND_CONCURRENCY), (duplicates, in_flight)
        async with state.engine.connect() as connection:
            unsent = (
                await connection.execute(
                    text(
                        "SELECT count(*) FROM outbox_message WHERE status IN ('pending', 'sending')"
                    )
                )
            ).scalar_one()
        assert unsent == 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
    assert [w.wait(timeout=20) for w in workers] == [0, 0], "workers stop cleanly on SIGTERM"
