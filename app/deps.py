"""Annotated dependencies every router may use: the app's state, a session, the clock and
the client's address. Who is calling is `app.auth.deps` (clients) and `app.auth.staff.deps`
(staff); this module imports no domain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import Clock
from app.state import AppState


async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.odvarsel
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def client_address(request: Request) -> str:
    """The client's address, the key of the per-address attempt limits."""
    return request.client.host if request.client else "unknown"


async def get_session(state: StateDep) -> AsyncIterator[AsyncSession]:
    async with state.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def get_clock(state: StateDep) -> Clock:
    return state.clock


ClockDep = Annotated[Clock, Depends(get_clock)]
