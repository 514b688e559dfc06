"""The cluster engine in the worker: alerts posted (or supplemented) through the API raise and
grow signals once the worker has run, per municipality, each checked only when something
arrived there; one failing municipality never stops the others."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from app.auth.scopes import Scope
from app.clock import FakeClock
from app.drug_warnings.signals import engine as cluster_engine
from app.drug_warnings.signals import service as signals_module
from app.drug_warnings.signals.engine import MARGIN, RETRY_AFTER, ClusterEngine
from app.drug_warnings.signals.models import ClusterCheck
from app.drug_warnings.signals.service import ClusterInputs
from app.state import AppState
from tests.factories import MUNICIPALITIES, ApiCredentials, Factory, alert_body
from tests.personal_data import personal_body

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


@dataclass
class World:
    http: httpx.AsyncClient
    state: AppState
    clock: FakeClock
    factory: Factory
    checks: Checks
    amk: ApiCredentials
    leader: ApiCredentials
    """The case system, for both municipalities."""

    @property
    def engine(self) -> ClusterEngine:
        [engine] = [e for e in self.state.worker.side_engines if isinstance(e, ClusterEngine)]
        return engine

    async def post_alert(
        self, *, hours_ago: float, municipality: str = FEDERAL, body: dict[str, Any] | None = None
    ) -> str:
        body = body or alert_body()
        body["municipality"] = municipality
        body["occurred_at"] = (self.clock.now() - timedelta(hours=hours_ago)).isoformat()
        body.pop("naloxone", None)  # its dose time would have to follow the overdose
        return await self.factory.post_alert(self.amk, body)

    async def supplement(self, alert_id: str, body: dict[str, Any]) -> None:
        response = await self.http.post(
            f"/v1/alerts/{alert_id}/supplements", json=body, headers=self.amk.headers
        )
        assert response.status_code == 201, response.text

    async def run(self) -> None:
        await self.state.worker.run_until_idle()

    async def quiet_down(self) -> None:
        """Past the margin of every alert so far, and checked once after it: from here a
        round computes nothing until something arrives."""
        self.clock.advance(MARGIN + timedelta(seconds=1))
        await self.run()
        self.checks.take()

    async def signals(self, municipality: str = FEDERAL) -> list[dict[str, Any]]:
        response = await self.http.get(
            "/v1/cluster-signals",
            params={"municipality": municipality},
            headers=self.leader.headers,
        )
        assert response.status_code == 200, response.text
        answer: list[dict[str, Any]] = response.json()
        return answer

    async def checked_at(self) -> dict[str, datetime]:
        """When each municipality was last checked, as `cluster_check` holds it."""
        async with self.state.sessions() as session:
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
async def world(
    http: httpx.AsyncClient, state: AppState, clock: FakeClock, factory: Factory, checks: Checks
) -> World:
    amk = await factory.api_client(municipalities=(FEDERAL, NEIGHBOUR))
    leader = await factory.api_client(
        municipalities=(FEDERAL, NEIGHBOUR), scopes=(Scope.ALERTS_DETAILS,)
    )
    return World(http, state, clock, factory, checks, amk, leader)


@pytest.fixture
def statements(state: AppState) -> Iterator[list[str]]:
    """The SQL statements run on the database while the test runs."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(state.engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(state.engine.sync_engine, "before_cursor_execute", record)


async def test_three_alerts_raise_one_signal_and_a_fourth_grows_it(world: World) -> None:
    alerts = [await world.post_alert(hours_ago=h) for h in (2, 1, 0)]
    assert await world.signals() == [], "nothing before the worker has run"

    await world.run()
    [signal] = await world.signals()
    assert sorted(signal["alert_ids"]) == sorted(alerts) and signal["status"] == "open"
    assert world.checks.take()[0] == FEDERAL

    assert await world.engine.run_once(world.clock.now()) == 0, "nothing new"
    await world.run()
    assert await world.signals() == [signal], "the same cluster raises one signal"

    world.clock.advance(timedelta(minutes=10))
    fourth = await world.post_alert(hours_ago=0.5)
    await world.run()
    [grown] = await world.signals()
    assert grown["id"] == signal["id"] and grown["event_count"] == 4
    assert fourth in grown["alert_ids"]
    assert grown["updated_at"] != signal["updated_at"]


async def test_a_municipality_with_nothing_new_costs_one_query(
    world: World, statements: list[str]
) -> None:
    for hours in (2, 1, 0):
        await world.post_alert(hours_ago=hours)
    await world.run()
    assert set(world.checks.take()) == {FEDERAL}
    await world.quiet_down()

    statements.clear()
    assert await world.engine.run_once(world.clock.now()) == 0
    assert world.checks.take() == [], "no cluster computed"
    queries = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(queries) == 1 + len(MUNICIPALITIES), "the check times, one per municipality"
    assert len(statements) <= len(queries) + 1, "and at most a BEGIN (SQLite)"
    assert QUIET not in await world.checked_at(), "never checked: it never had an alert"


async def test_arrivals_inside_the_margin_are_computed_once(world: World) -> None:
    await world.post_alert(hours_ago=1)
    await world.run()
    assert world.checks.take() == [FEDERAL]
    checked = (await world.checked_at())[FEDERAL]
    for _ in range(3):  # rounds inside the margin: the arrival was seen
        world.clock.advance(MARGIN / 4)
        await world.run()
    assert world.checks.take() == [], "not computed again"
    assert (await world.checked_at())[FEDERAL] == checked

    second = await world.post_alert(hours_ago=0)  # a new arrival, still inside the margin
    await world.run()
    assert world.checks.take() == [FEDERAL]
    await world.supplement(second, {"consent": {"state": "objected"}})
    await world.run()
    assert world.checks.take() == [FEDERAL], "a supplement is an arrival of its own"


async def test_an_alert_committed_after_a_check_that_began_later_is_found(world: World) -> None:
    """Its transaction took `received_at` before the check began and committed after it."""
    for hours in (2, 1):
        await world.post_alert(hours_ago=hours)
    await world.quiet_down()
    checked = world.clock.now()
    assert (await world.checked_at())[FEDERAL] == checked

    world.clock.set(checked - timedelta(seconds=30))  # a request 30 s slower than the check
    third = await world.post_alert(hours_ago=0)
    world.clock.set(checked + timedelta(seconds=5))
    await world.run()
    assert world.checks.take()[0] == FEDERAL
    [signal] = await world.signals()
    assert third in signal["alert_ids"] and signal["event_count"] == 3


async def test_a_supplement_that_removes_the_coordinates_is_picked_up(world: World) -> None:
    alerts = [await world.post_alert(hours_ago=h, body=personal_body()) for h in (2, 1, 0)]
    await world.run()
    [signal] = await world.signals()
    await world.quiet_down()
    await world.run()
    assert world.checks.take() == [], "nothing new"

    world.clock.advance(timedelta(minutes=30))
    await world.supplement(alerts[0], {"consent": {"state": "objected"}})  # purges the place
    await world.run()
    assert world.checks.take()[0] == FEDERAL, "the supplement is checked"
    assert (await world.checked_at())[FEDERAL] == world.clock.now()
    assert await world.signals() == [signal], "an objected alert still counts; none shrinks"


async def test_a_supplement_that_adds_coordinates_completes_a_radius_cluster(
    world: World,
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
        await world.post_alert(hours_ago=hours, body=body)
    third = await world.post_alert(hours_ago=0)  # no coordinates: in no radius
    await world.run()
    assert await world.signals() == []
    await world.quiet_down()

    world.clock.advance(timedelta(minutes=20))
    await world.supplement(third, {"place": near(-0.3)})
    await world.run()
    [signal] = await world.signals()
    assert third in signal["alert_ids"] and signal["rule"]["area"] == "radius"


async def test_a_supplement_that_adds_coordinates_completes_a_district_cluster(
    world: World,
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
        await world.post_alert(hours_ago=hours, body=body)
    third = await world.post_alert(hours_ago=0)  # no coordinates: in no district
    await world.run()
    assert await world.signals() == []
    await world.quiet_down()

    world.clock.advance(timedelta(minutes=20))
    await world.supplement(third, {"place": {"latitude": 59.215, "longitude": 10.925}})
    await world.run()
    [signal] = await world.signals()
    assert third in signal["alert_ids"] and signal["district"] == "Sentrum"


async def test_two_municipalities_are_checked_independently(world: World) -> None:
    for hours in (2, 1, 0):
        await world.post_alert(hours_ago=hours, municipality=FEDERAL)
    for hours in (2, 1):
        await world.post_alert(hours_ago=hours, municipality=NEIGHBOUR)
    await world.run()
    [federal] = await world.signals(FEDERAL)
    assert await world.signals(NEIGHBOUR) == []
    assert set(await world.checked_at()) == {FEDERAL, NEIGHBOUR}
    await world.quiet_down()

    world.clock.advance(timedelta(minutes=5))
    await world.post_alert(hours_ago=0, municipality=NEIGHBOUR)
    await world.run()
    assert set(world.checks.take()) == {NEIGHBOUR}, "only where an alert arrived"
    [neighbour] = await world.signals(NEIGHBOUR)
    assert neighbour["event_count"] == 3 and neighbour["municipality"] == NEIGHBOUR
    assert await world.signals(FEDERAL) == [federal]
    checked = await world.checked_at()
    assert checked[NEIGHBOUR] == world.clock.now() > checked[FEDERAL]
    assert QUIET not in world.checks.computed and QUIET not in checked


async def test_a_failing_municipality_does_not_stop_the_others(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.checks.failing.add(FEDERAL)
    for municipality in (FEDERAL, NEIGHBOUR):
        for hours in (2, 1, 0):
            await world.post_alert(hours_ago=hours, municipality=municipality)
    with caplog.at_level(logging.ERROR, logger=cluster_engine.__name__):
        await world.run()
    assert len(await world.signals(NEIGHBOUR)) == 1
    assert await world.signals(FEDERAL) == []
    assert FEDERAL not in await world.checked_at(), "not recorded: it is tried again"
    [failure] = [r for r in caplog.records if r.name == cluster_engine.__name__]
    assert getattr(failure, "municipality", None) == FEDERAL
    assert getattr(failure, "error_type", None) == "RuntimeError"

    world.checks.failing.clear()
    world.checks.take()
    await world.run()
    assert FEDERAL not in world.checks.take(), "it waits before it is tried again"
    world.clock.advance(RETRY_AFTER)
    await world.run()
    assert FEDERAL in world.checks.take()
    [signal] = await world.signals(FEDERAL)
    assert signal["event_count"] == 3
