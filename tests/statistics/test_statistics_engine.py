"""The worker's statistics engine writes the fact of each new alert, refreshes recent ones
at most hourly (the first contact recorded shows), and leaves frozen facts alone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col

from app.auth.scopes import Scope
from app.statistics import engine
from app.statistics.models import AlertFact
from tests.scenario import Scenario


async def fact(scenario: Scenario, alert_id: object) -> AlertFact:
    async with scenario.state.sessions() as session:
        found = await session.get(AlertFact, alert_id)
    assert found is not None, "no fact written"
    return found


async def test_the_worker_keeps_the_facts_fresh(scenario: Scenario) -> None:
    team = await scenario.team()
    alert_id = await scenario.alert(ago=timedelta(minutes=10))
    await scenario.settle()
    assert (await fact(scenario, alert_id)).minutes_to_acknowledge is None

    scenario.advance(timedelta(minutes=3))
    case = await scenario.take(alert_id, team.member_ids[0])
    assert case is not None
    response = await scenario.request(
        "POST",
        f"/v1/cases/{case.id}/steps/reach/records",
        Scope.ALERTS_DETAILS,
        json={"action": "done"},
    )
    assert response.status_code == 200, response.text
    await scenario.settle()
    assert (await fact(scenario, alert_id)).reached_within_24h is None  # not an hour yet

    await scenario.fast_forward(engine.EVERY)
    refreshed = await fact(scenario, alert_id)
    assert refreshed.reached_within_24h is True
    assert refreshed.minutes_to_acknowledge is not None
    assert refreshed.refreshed_at == scenario.clock.now()


async def test_frozen_and_old_facts_are_not_written_again(scenario: Scenario) -> None:
    await scenario.team()
    old = await scenario.alert(ago=timedelta(minutes=10))
    frozen = await scenario.alert(ago=timedelta(minutes=10))
    await scenario.settle()
    async with scenario.state.sessions() as session, session.begin():
        await session.execute(
            update(AlertFact).where(col(AlertFact.alert_id) == frozen).values(frozen=True)
        )
    frozen_at = (await fact(scenario, frozen)).refreshed_at

    two_hours_on = scenario.clock.now() + timedelta(hours=2)
    await scenario.fast_forward_to(two_hours_on)  # recent: the unfrozen one is refreshed
    assert (await fact(scenario, old)).refreshed_at == two_hours_on
    assert (await fact(scenario, frozen)).refreshed_at == frozen_at

    await scenario.fast_forward(engine.RECENT)  # old now: neither is written again
    assert (await fact(scenario, old)).refreshed_at == two_hours_on
    assert (await fact(scenario, frozen)).refreshed_at == frozen_at


async def test_an_idle_engine_keeps_quiet_for_a_minute(scenario: Scenario) -> None:
    """An idle worker polls every second: the engine asks the database once a minute."""
    await scenario.team()
    statistics = engine.StatisticsEngine(
        sessions=scenario.state.sessions, cipher=scenario.state.cipher
    )
    now = scenario.clock.now()
    assert await statistics.run_once(now) == 0  # nothing yet: quiet from now on
    alert_id = await scenario.alert(ago=timedelta(minutes=1))
    assert await statistics.run_once(now + engine.QUIET / 2) == 0
    async with scenario.state.sessions() as session:
        assert await session.get(AlertFact, alert_id) is None, "no query while quiet"
    await statistics.run_once(now + engine.QUIET)
    assert (await fact(scenario, alert_id)).alert_id == alert_id
