"""Migration 0028: `rate_counter` holds the shared rate limits' counts; the downgrade drops it
(the counts are short-lived), and the upgrade brings it back empty and working."""

from __future__ import annotations

import httpx
import pytest

from app.auth import limits
from app.state import AppState
from tests.migrations.test_migration_0006 import rows
from tests.migrations.test_migration_0018 import migrated
from tests.problems import assert_problem

WRONG = {"grant_type": "client_credentials", "client_id": "amk", "client_secret": "wrong"}


async def test_0028_adds_the_counters_and_drops_them_again(
    http: httpx.AsyncClient, state: AppState
) -> None:
    assert_problem(await http.post("/v1/oauth/token", data=WRONG), 401)
    assert [hits for (hits,) in await rows(state, "SELECT hits FROM rate_counter")] == [1, 1]

    await migrated(state, "0027", down=True)
    with pytest.raises(Exception, match="rate_counter"):
        await rows(state, "SELECT hits FROM rate_counter")

    await migrated(state, "head")
    assert await rows(state, "SELECT hits FROM rate_counter") == []
    for _ in range(limits.CLIENT_FAILURES):
        assert_problem(await http.post("/v1/oauth/token", data=WRONG), 401)
    assert_problem(await http.post("/v1/oauth/token", data=WRONG), 429)
