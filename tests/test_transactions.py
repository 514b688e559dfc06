"""The request's one transaction (`app.deps.TxSession`) commits before the answer is sent, on
the installed FastAPI: a commit that fails is an error answer, never a 2xx for data that was
not stored, and the after-commit hooks (waking the worker) run only once it has committed."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.clock import FakeClock
from app.deps import ClockDep, TransactionDep, TxSession
from app.roster.models import Municipality
from app.state import AppState
from tests.problems import assert_problem

CODE = "9999"


def _refuse_commit(session: Session) -> None:
    raise sa_exc.InvalidRequestError("the test refuses this commit")


@pytest.fixture
def hooks_ran(app: FastAPI) -> list[str]:
    """Routes that store a municipality, and what their after-commit hooks recorded."""
    ran: list[str] = []

    async def store(
        session: TxSession, transaction: TransactionDep, clock: ClockDep
    ) -> dict[str, str]:
        assert session is transaction.session
        session.add(Municipality(code=CODE, name="Testby", created_at=clock.now()))
        transaction.after_commit(lambda: ran.append("committed"))
        return {"stored": CODE}

    async def store_then_fail_commit(
        session: TxSession, transaction: TransactionDep, clock: ClockDep
    ) -> dict[str, str]:
        event.listen(session.sync_session, "before_commit", _refuse_commit, once=True)
        return await store(session, transaction, clock)

    async def store_then_raise(
        session: TxSession, transaction: TransactionDep, clock: ClockDep
    ) -> dict[str, str]:
        await store(session, transaction, clock)
        await session.flush()
        raise RuntimeError("a bug after the write")

    app.add_api_route("/tx/store", store, methods=["POST"])
    app.add_api_route("/tx/fail-commit", store_then_fail_commit, methods=["POST"])
    app.add_api_route("/tx/raise", store_then_raise, methods=["POST"])
    return ran


async def _stored(state: AppState) -> bool:
    async with state.sessions() as session:
        return await session.get(Municipality, CODE) is not None


async def _post(app: FastAPI, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        return await http.post(path)


async def test_a_request_commits_then_runs_its_after_commit_hooks(
    app: FastAPI, state: AppState, hooks_ran: list[str], clock: FakeClock
):
    response = await _post(app, "/tx/store")
    assert response.status_code == 200
    assert await _stored(state)
    assert hooks_ran == ["committed"]


async def test_a_commit_that_fails_is_an_error_answer_not_a_2xx(
    app: FastAPI, state: AppState, hooks_ran: list[str]
):
    # Pins FastAPI's `scope="function"`: with the default scope the commit would run after
    # the 200 had been sent.
    response = await _post(app, "/tx/fail-commit")
    assert_problem(response, 500)
    assert not await _stored(state)
    assert hooks_ran == []


async def test_an_error_in_the_endpoint_rolls_the_request_back(
    app: FastAPI, state: AppState, hooks_ran: list[str]
):
    response = await _post(app, "/tx/raise")
    assert_problem(response, 500)
    assert not await _stored(state)
    assert hooks_ran == []


async def test_the_transaction_session_is_the_request_session(app: FastAPI):
    seen: list[AsyncSession] = []

    async def both(session: TxSession, transaction: TransactionDep) -> None:
        seen.extend([session, transaction.session])

    app.add_api_route("/tx/both", both)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        assert (await http.get("/tx/both")).is_success
    assert seen[0] is seen[1]
