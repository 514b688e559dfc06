"""A municipality's month of alerts, with their facts, for the statistics tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from app.norway.national_id import InvalidNationalId, parse_national_id
from app.statistics.facts import refresh_facts
from tests.scenario import Scenario

W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def national_ids() -> Iterator[str]:
    """Valid fødselsnummer of adults born in 1990, one per day of January."""
    for day in range(1, 32):
        first_nine = [int(c) for c in f"{day:02d}0190123"]
        for k1 in range(10):
            digits = [*first_nine, k1]
            k2 = (11 - sum(w * d for w, d in zip(W2, digits, strict=True)) % 11) % 11
            candidate = "".join(map(str, digits)) + str(k2 % 10)
            try:
                parse_national_id(candidate)
            except InvalidNationalId:
                continue
            yield candidate
            break


async def november(scenario: Scenario, *, women: int = 2, men: int = 10) -> list[uuid.UUID]:
    """`women + men` alerts of distinct persons on 23 November (the clock's day), their
    facts written; the team made first."""
    if not scenario.teams:
        await scenario.team()
    ids = national_ids()
    alerts = []
    for i, sex in enumerate(["female"] * women + ["male"] * men):
        person: dict[str, Any] = {"national_id": next(ids), "sex": sex, "age_band": "adult"}
        alerts.append(await scenario.alert(ago=timedelta(minutes=10 + i), person=person))
    await write_facts(scenario)
    return alerts


async def write_facts(scenario: Scenario) -> int:
    async with scenario.state.sessions() as session, session.begin():
        return await refresh_facts(
            session, scenario.alerts, cipher=scenario.state.cipher, now=scenario.clock.now()
        )


async def person_keys(scenario: Scenario) -> list[str]:
    """The keyed hashes stored, to check that none leaves the database."""
    async with scenario.state.engine.connect() as connection:
        rows = await connection.execute(text("SELECT person_key FROM alert_fact"))
        return [key for (key,) in rows if key]
