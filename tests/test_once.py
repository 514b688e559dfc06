"""`app.once`: a key is used once within its window, on both databases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from app.clock import FakeClock
from app.once import UsedOnce, first_use
from app.state import AppState


async def _use(state: AppState, key: str, clock: FakeClock, *, purpose: str = "test") -> bool:
    async with state.sessions() as session, session.begin():
        return await first_use(
            session,
            purpose=purpose,
            key=key,
            until=clock.now() + timedelta(minutes=10),
            now=clock.now(),
        )


async def test_a_key_is_accepted_once_per_purpose(state: AppState, clock: FakeClock) -> None:
    assert await _use(state, "SM1", clock)
    assert not await _use(state, "SM1", clock)
    assert await _use(state, "SM1", clock, purpose="other")
    assert await _use(state, "SM2", clock)


async def test_a_key_is_new_again_after_its_window(state: AppState, clock: FakeClock) -> None:
    assert await _use(state, "token", clock)
    clock.advance(timedelta(minutes=9))
    assert not await _use(state, "token", clock)
    clock.advance(timedelta(minutes=2))
    assert await _use(state, "token", clock)


async def test_only_a_digest_is_stored(state: AppState, clock: FakeClock) -> None:
    assert await _use(state, "eyJ.secret-token.sig", clock)
    async with state.sessions() as session:
        rows = (await session.execute(select(UsedOnce))).scalars().all()
    assert [len(row.digest) for row in rows] == [64]
    assert "secret" not in rows[0].digest


async def test_concurrent_first_uses_have_one_winner(state: AppState, clock: FakeClock) -> None:
    results = await asyncio.gather(*(_use(state, "same", clock) for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]
