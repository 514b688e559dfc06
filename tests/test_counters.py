"""The shared rate counters (app/counters.py): atomic under concurrency, several keys all or
none, windows on the service clock, marks that expire, expired rows swept, and no key stored
as given."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from app.clock import FakeClock
from app.counters import SWEEP_EVERY, Counters, Limit
from app.state import AppState
from tests.migrations.test_migration_0006 import rows

FIVE = Limit("test.five", 5, timedelta(minutes=10))
TWO = Limit("test.two", 2, timedelta(minutes=10))


async def test_concurrent_attempts_never_pass_the_limit_together(
    state: AppState, clock: FakeClock
) -> None:
    # Two Counters on one database: two instances.
    instances = [state.counters, Counters(state.sessions, secret=state.settings.jwt_secret())]
    answers = await asyncio.gather(
        *(instances[i % 2].take((FIVE, "key"), now=clock.now()) for i in range(12))
    )
    assert answers.count(None) == FIVE.most
    assert all(wait == 600 for wait in answers if wait is not None)  # the window is 12:00-12:10
    assert await state.counters.blocked(FIVE, "key", now=clock.now()) == 600
    assert await state.counters.blocked(FIVE, "other", now=clock.now()) is None


async def test_several_keys_are_taken_all_or_none(state: AppState, clock: FakeClock) -> None:
    counters = state.counters
    now = clock.now()
    for _ in range(TWO.most):
        assert await counters.take((FIVE, "address"), (TWO, "number-1"), now=now) is None
    assert await counters.take((FIVE, "address"), (TWO, "number-1"), now=now) is not None
    # The refused attempt did not count against the address either: three more fit.
    for number in ("number-2", "number-3", "number-2"):
        assert await counters.take((FIVE, "address"), (TWO, number), now=now) is None
    assert await counters.take((FIVE, "address"), (TWO, "number-4"), now=now) is not None


async def test_a_window_ends_and_a_given_back_attempt_does_not_count(
    state: AppState, clock: FakeClock
) -> None:
    counters = state.counters
    for _ in range(TWO.most):
        assert await counters.take((TWO, "key"), now=clock.now()) is None
    await counters.give_back((TWO, "key"), at=clock.now())
    assert await counters.take((TWO, "key"), now=clock.now()) is None
    clock.advance(timedelta(minutes=9, seconds=30))
    assert await counters.blocked(TWO, "key", now=clock.now()) == 30
    clock.advance(timedelta(seconds=30))
    assert await counters.blocked(TWO, "key", now=clock.now()) is None


async def test_marks_expire_and_expired_rows_are_swept(state: AppState, clock: FakeClock) -> None:
    counters = state.counters
    await counters.mark(
        "test.known", "amk 10.0.0.1", until=clock.now() + SWEEP_EVERY, now=clock.now()
    )
    await counters.add(TWO, "+4791234567", now=clock.now())
    assert await counters.marked("test.known", "amk 10.0.0.1", now=clock.now())
    stored = await rows(state, "SELECT scope, digest FROM rate_counter")
    assert len(stored) == 2
    assert all("+4791234567" not in digest and "10.0.0.1" not in digest for _, digest in stored)
    clock.advance(timedelta(minutes=10))
    assert not await counters.marked("test.known", "amk 10.0.0.1", now=clock.now())
    await counters.add(TWO, "+4790000000", now=clock.now())  # sweeps on the way
    assert len(await rows(state, "SELECT scope FROM rate_counter")) == 1
