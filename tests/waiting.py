"""Waiting for a condition in tests, never for a fixed time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


async def wait_for(condition: Callable[[], bool], *, within: float, every: float = 0.02) -> None:
    """Return once `condition()` holds; fail after `within` seconds."""
    for _ in range(max(1, int(within / every))):
        if condition():
            return
        await asyncio.sleep(every)
    raise AssertionError("timed out")


async def wait_until(
    condition: Callable[[], Awaitable[bool]], *, within: float, every: float = 0.02
) -> None:
    """`wait_for` for a condition that must be awaited (a browser page's state, say)."""
    for _ in range(max(1, int(within / every))):
        if await condition():
            return
        await asyncio.sleep(every)
    raise AssertionError("timed out")
