"""The cluster engine in the worker: alerts posted (or supplemented) through the API raise and
grow signals once the worker has run, per municipality, each checked only when something
arrived there; one failing municipality never stops the others."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from app.auth.scopes import Scope
from app.drug_warnings.signals import engine as cluster_engine
from app.drug_warnings.signals import service as signals_module
from app.drug_warnings.signals.engine import MARGIN, RETRY_AFTER, ClusterEngine
from app.drug_warnings.signals.models import ClusterCheck
from app.drug_warnings.signals.service import ClusterInputs
from app.state import AppState
from tests.factories import MUNICIPALITIES, alert_body
from tests.personal_data import personal_body
from tests.scenario import Scenario

FEDERAL = "3107"
NEIGHBOUR = "0301"
QUIET = "1103"
"""Served, and never sends an alert here."""
CENTRE = (59.2181, 10.9298)
KM_PER_DEGREE_LATITUDE = 111.195


@dataclass
class Checks:
    """The municipalities the engine computed, in order; those in `failing` raise."""

    computed: list[str] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)

    def take(self) -> list[str]:
        taken, self.computed = self.computed, []
        return taken


def cluster_engine_of(world: Scenario) -> ClusterEngine:
    [engine] = [e for e in world.state.worker.side_engines if isinstance(e, ClusterEngine)]
    return engine


async def post_alert(
    world: Scenario,
    *,
    hours_ago: float,
    municipality: str = FEDERAL,
    body: dict[str, Any] | None = None,
) -> str:
    """An overdose `hours_ago` in `municipality` (the example alert, or `body`): its id."""
    alert_id = await world.alert(
        body=body, ago=timedelta(hours=hours_ago), naloxone=False, municipality=municipality
    )
    return str(alert_id)


async def supplement(world: Scenario, alert_id: str, body: dict[str, Any]) -> None:
    response = await world.request("POST", f"/v1/alerts/{alert_id}/supplements", json=body)
    assert response.status_code == 201, response.text


async def quiet_down(world: Scenario, checks: Checks) -> None:
    """Past the margin of every alert so far, and checked once after it: from here a
    round computes nothing until something arrives."""
    await world.fast_forward(MARGIN + timedelta(seconds=1))
    checks.take()


async def read_signals(world: Scenario, municipality: str = FEDERAL) -> list[dict[str, Any]]:
    """The municipality's signals, as the case system (of both) reads them."""
    response = await world.request(
        "GET", "/v1/cluster-signals", Scope.ALERTS_DETAILS, params={"municipality": municipality}
    )
    assert response.status_code == 200, response.text
    answer: list[dict[str, Any]] = response.json()
    return answer


async def checked_at(world: Scenario) -> dict[str, datetime]:
    """When each municipality was last checked, as `cluster_check` holds it."""
    async with world.state.sessions() as session:
        rows = (await session.execute(select(ClusterCheck))).scalars()
        return {row.municipality_code: row.checked_at for row in rows}


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> Checks:
    """Records each cluster computation (and fails those of `failing` municipalities): a
    computation begins by reading its inputs."""
    spy = Checks()
    real = signals_module.read_inputs

    async def read_inputs(
        session: AsyncSession, *, municipality_code: str, now: datetime
    ) -> ClusterInputs | None:
        spy.computed.append(municipality_code)
        if municipality_code in spy.failing:
            raise RuntimeError("a broken municipality")
        return await real(session, municipality_code=municipality_code, now=now)

    monkeypatch.setattr(signals_module, "read_inputs", read_inputs)
    return spy


@pytest.fixture
def world(scenario: Scenario, checks: Checks) -> Scenario:
    """An AMK and a case system for both municipalities (made when first used), the
    cluster computations recorded (`checks`)."""
    scenario.municipalities = (FEDERAL, NEIGHBOUR)
    return scenario


@pytest.fixture
def statements(state: AppState) -> Iterator[list[str]]:
    """The SQL statements run on the database while the test runs."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(state.engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(state.engine.sync_engine, "before_cursor_execute", record)


async def test_three_alerts_raise_one_signal_and_a_fourth_grows_it(
    world: Scenario, checks: Checks
) -> None:
    alerts = [await post_alert(world, hours_ago=h) for h in (2, 1, 0)]
    assert await read_signals(world) == [], "nothing before the worker has run"

    await world.settle()
    [signal] = await read_signals(world)
    assert sorted(signal["alert_ids"]) == sorted(alerts) and signal["status"] == "open"
    assert checks.take()[0] == FEDERAL

    assert await cluster_engine_of(world).run_once(world.clock.now()) == 0, "nothing new"
    await world.settle()
    assert await read_signals(world) == [signal], "the same cluster raises one signal"

    world.clock.advance(timedelta(minutes=10))
    fourth = await post_alert(world, hours_ago=0.5)
    await world.settle()
    [grown] = await read_signals(world)
    assert grown["id"] == signal["id"] and grown["event_count"] == 4
    assert fourth in grown["alert_ids"]
    assert grown["updated_at"] != signal["updated_at"]


async def test_a_municipality_with_nothing_new_costs_one_query(
    world: Scenario, statements: list[str], checks: Checks
) -> None:
    for hours in (2, 1, 0):
        await post_alert(world, hours_ago=hours)
    await world.settle()
    assert set(checks.take()) == {FEDERAL}
    await quiet_down(world, checks)

    statements.clear()
    assert await cluster_engine_of(world).run_once(world.clock.now()) == 0
    assert checks.take() == [], "no cluster computed"
    queries = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(queries) == 1 + len(MUNICIPALITIES), "the check times, one per municipality"
    assert len(statements) <= len(queries) + 1, "and at most a BEGIN (SQLite)"
    assert QUIET not in await checked_at(world), "never checked: it never had an alert"


async def test_arrivals_inside_the_margin_are_computed_once(
    world: Scenario, checks: Checks
) -> None:
    await post_alert(world, hours_ago=1)
    await world.settle()
    assert checks.take() == [FEDERAL]
    checked = (await checked_at(world))[FEDERAL]
    for _ in range(3):  # rounds inside the margin: the arrival was seen
        world.clock.advance(MARGIN / 4)
        await world.settle()
    assert checks.take() == [], "not computed again"
    assert (await checked_at(world))[FEDERAL] == checked

    second = await post_alert(world, hours_ago=0)  # a new arrival, still inside the margin
    await world.settle()
    assert checks.take() == [FEDERAL]
    await supplement(world, second, {"consent": {"state": "objected"}})
    await world.settle()
    assert checks.take() == [FEDERAL], "a supplement is an arrival of its own"


async def test_an_alert_committed_after_a_check_that_began_later_is_found(
    world: Scenario, checks: Checks
) -> None:
    """Its transaction took `received_at` before the check began and committed after it."""
    for hours in (2, 1):
        await post_alert(world, hours_ago=hours)
    await quiet_down(world, checks)
    checked = world.clock.now()
    assert (await checked_at(world))[FEDERAL] == checked

    world.clock.set(checked - timedelta(seconds=30))  # a request 30 s slower than the check
    third = await post_alert(world, hours_ago=0)
    world.clock.set(checked + timedelta(seconds=5))
    await world.settle()
    assert checks.take()[0] == FEDERAL
    [signal] = await read_signals(world)
    assert third in signal["alert_ids"] and signal["event_count"] == 3


async def test_a_supplement_that_removes_the_coordinates_is_picked_up(
    world: Scenario, checks: Checks
) -> None:
    alerts = [await post_alert(world, hours_ago=h, body=personal_body()) for h in (2, 1, 0)]
    await world.settle()
    [signal] = await read_signals(world)
    await quiet_down(world, checks)
    await world.settle()
    assert checks.take() == [], "nothing new"

    world.clock.advance(timedelta(minutes=30))
    await supplement(world, alerts[0], {"consent": {"state": "objected"}})  # purges the place
    await world.settle()
    assert checks.take()[0] == FEDERAL, "the supplement is checked"
    assert (await checked_at(world))[FEDERAL] == world.clock.now()
    assert await read_signals(world) == [signal], "an objected alert still counts; none shrinks"


async def test_a_supplement_that_adds_coordinates_completes_a_radius_cluster(
    world: Scenario, checks: Checks
) -> None:
    admin = await world.factory.admin_client((FEDERAL,))
    rules = {"rules": [{"area": "radius", "min_count": 3, "window_hours": 6, "radius_km": 1}]}
    put = await world.http.put(
        f"/v1/admin/municipalities/{FEDERAL}/cluster-rules", json=rules, headers=admin.headers
    )
    assert put.status_code == 200, put.text

    def near(north_km: float) -> dict[str, Any]:
        latitude = CENTRE[0] + north_km / KM_PER_DEGREE_LATITUDE
        return {"latitude": latitude, "longitude": CENTRE[1]}

    for hours, north_km in ((2, 0.0), (1, 0.4)):
        body = alert_body()
        body["place"] = {**body["place"], **near(north_km)}
        await post_alert(world, hours_ago=hours, body=body)
    third = await post_alert(world, hours_ago=0)  # no coordinates: in no radius
    await world.settle()
    assert await read_signals(world) == []
    await quiet_down(world, checks)

    world.clock.advance(timedelta(minutes=20))
    await supplement(world, third, {"place": near(-0.3)})
    await world.settle()
    [signal] = await read_signals(world)
    assert third in signal["alert_ids"] and signal["rule"]["area"] == "radius"


async def test_a_supplement_that_adds_coordinates_completes_a_district_cluster(
    world: Scenario, checks: Checks
) -> None:
    admin = await world.factory.admin_client((FEDERAL,))
    sentrum = [[59.21, 10.92], [59.21, 10.94], [59.23, 10.94], [59.23, 10.92]]
    rules = {
        "rules": [{"area": "district", "min_count": 3, "window_hours": 6}],
        "districts": [{"name": "Sentrum", "boundary": sentrum}],
    }
    put = await world.http.put(
        f"/v1/admin/municipalities/{FEDERAL}/cluster-rules", json=rules, headers=admin.headers
    )
    assert put.status_code == 200, put.text

    for hours in (2, 1):
        body = alert_body()
        body["place"] = {**body["place"], "latitude": 59.22, "longitude": 10.93}
        await post_alert(world, hours_ago=hours, body=body)
    third = await post_alert(world, hours_ago=0)  # no coordinates: in no district
    await world.settle()
    assert await read_signals(world) == []
    await quiet_down(world, checks)

    world.clock.advance(timedelta(minutes=20))
    await supplement(world, third, {"place": {"latitude": 59.215, "longitude": 10.925}})
    await world.settle()
    [signal] = await read_signals(world)
    assert third in signal["alert_ids"] and signal["district"] == "Sentrum"


async def test_two_municipalities_are_checked_independently(
    world: Scenario, checks: Checks
) -> None:
    for hours in (2, 1, 0):
        await post_alert(world, hours_ago=hours, municipality=FEDERAL)
    for hours in (2, 1):
        await post_alert(world, hours_ago=hours, municipality=NEIGHBOUR)
    await world.settle()
    [federal] = await read_signals(world, FEDERAL)
    assert await read_signals(world, NEIGHBOUR) == []
    assert set(await checked_at(world)) == {FEDERAL, NEIGHBOUR}
    await quiet_down(world, checks)

    world.clock.advance(timedelta(minutes=5))
    await post_alert(world, hours_ago=0, municipality=NEIGHBOUR)
    await world.settle()
    assert set(checks.take()) == {NEIGHBOUR}, "only where an alert arrived"
    [neighbour] = await read_signals(world, NEIGHBOUR)
    assert neighbour["event_count"] == 3 and neighbour["municipality"] == NEIGHBOUR
    assert await read_signals(world, FEDERAL) == [federal]
    checked = await checked_at(world)
    assert checked[NEIGHBOUR] == world.clock.now() > checked[FEDERAL]
    assert QUIET not in checks.computed and QUIET not in checked


async def test_a_failing_municipality_does_not_stop_the_others(
    world: Scenario, caplog: pytest.LogCaptureFixture, checks: Checks
) -> None:
    checks.failing.add(FEDERAL)
    for municipality in (FEDERAL, NEIGHBOUR):
        for hours in (2, 1, 0):
            await post_alert(world, hours_ago=hours, municipality=municipality)
    with caplog.at_level(logging.ERROR, logger=cluster_engine.__name__):
        await world.settle()
    assert len(await read_signals(world, NEIGHBOUR)) == 1
    assert await read_signals(world, FEDERAL) == []
    assert FEDERAL not in await checked_at(world), "not recorded: it is tried again"
    [failure] = [r for r in caplog.records if r.name == cluster_engine.__name__]
    assert getattr(failure, "municipality", None) == FEDERAL
    assert getattr(failure, "error_type", None) == "RuntimeError"

    checks.failing.clear()
    checks.take()
    await world.settle()
    assert FEDERAL not in checks.take(), "it waits before it is tried again"
    world.clock.advance(RETRY_AFTER)
    await world.settle()
    assert FEDERAL in checks.take()
    [signal] = await read_signals(world, FEDERAL)
    assert signal["event_count"] == 3


async def test_a_slow_check_makes_the_next_one_of_its_municipality_wait(
    world: Scenario, checks: Checks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check of a huge window takes seconds: checked again at every arrival, it held up the
    pages of the same worker. After a slow one, the municipality waits CALM_FACTOR times as
    long; the arrival is checked then, not lost."""
    monkeypatch.setattr(cluster_engine, "SLOW_CHECK_SECONDS", 0.0)  # every check is slow
    await post_alert(world, hours_ago=1)
    await world.settle()
    assert checks.take() == [FEDERAL]

    await post_alert(world, hours_ago=0)
    await world.settle()
    assert checks.take() == [], "calm: the arrival waits"
    await world.fast_forward(timedelta(minutes=30))  # far more than 100 x a test's check
    assert checks.take() == [FEDERAL], "and is checked"
