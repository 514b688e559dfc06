"""Annotated dependencies every router may use: the app's state, a session, the request's
transaction, the clock and the client's address. Who is calling is `app.auth.deps` (clients)
and `app.auth.staff.deps` (staff); this module imports no domain.

A request that reads or writes takes `TxSession` (or `TransactionDep` for `after_commit`): one
transaction for the request, committed when the endpoint returns and BEFORE the answer is sent
(`scope="function"`; FastAPI's default scope runs the exit code after the response has gone,
where a failed commit would follow a 2xx for data that was not stored). A failed commit is
therefore an error answer (503 for an unreachable database, 500 otherwise), and an error raised
by the endpoint rolls everything back. `after_commit` hooks (waking the worker) run only after a
successful commit. Engines, the dispatcher and the CLI open their own transactions; so does a
router that commits part-way on purpose (it says why where it does).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
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


class Transaction:
    """The request's one transaction: its session and what to do once it has committed."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._after_commit: list[Callable[[], None]] = []

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Call `hook` once the transaction has committed (never if it rolls back)."""
        self._after_commit.append(hook)

    def committed(self) -> None:
        for hook in self._after_commit:
            hook()


async def open_transaction(session: SessionDep) -> AsyncIterator[Transaction]:
    """Begin the request's transaction; commit when the endpoint has returned."""
    transaction = Transaction(session)
    async with session.begin():
        yield transaction
    transaction.committed()


TransactionDep = Annotated[Transaction, Depends(open_transaction, scope="function")]
"""Function scope: the commit runs before the answer is sent (see the module docstring)."""


async def transaction_session(transaction: TransactionDep) -> AsyncSession:
    return transaction.session


TxSession = Annotated[AsyncSession, Depends(transaction_session)]
"""The request's session inside its one transaction (`TransactionDep` is the same one)."""


async def get_clock(state: StateDep) -> Clock:
    return state.clock


ClockDep = Annotated[Clock, Depends(get_clock)]
