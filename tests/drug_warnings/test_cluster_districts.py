"""Districts through the API: the admin draws them in the cluster-rules document (each refused
field a 422 naming it), and alerts posted with coordinates raise a signal per district once
the worker's cluster engine has run; two districts never share a signal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.auth.scopes import Scope
from app.drug_warnings.clusters import MAX_BOUNDARY_POINTS
from tests.factories import alert_body
from tests.problems import assert_problem
from tests.scenario import Scenario

FEDERAL = "3107"
URL = f"/v1/admin/municipalities/{FEDERAL}/cluster-rules"
SQUARE: list[list[float]] = [[59.21, 10.92], [59.21, 10.94], [59.23, 10.94], [59.23, 10.92]]
SENTRUM: dict[str, Any] = {"name": "Sentrum", "boundary": SQUARE}
OST: dict[str, Any] = {
    "name": "Øst",
    "boundary": [[59.21, 10.94], [59.21, 10.96], [59.23, 10.96], [59.23, 10.94]],
}
"""East of Sentrum, sharing its border."""
IN_SENTRUM = (59.22, 10.93)
IN_OST = (59.22, 10.95)
OUTSIDE = (59.25, 10.93)
DISTRICT_RULE: dict[str, Any] = {"area": "district", "min_count": 3, "window_hours": 6}


async def put_rules(world: Scenario, document: dict[str, Any]) -> httpx.Response:
    return await world.request("PUT", URL, Scope.ADMIN, json=document)


async def read_rules(world: Scenario) -> dict[str, Any]:
    response = await world.request("GET", URL, Scope.ADMIN)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def post_alert(world: Scenario, *, hours_ago: float, at: tuple[float, float] | None) -> str:
    """An overdose `hours_ago` in Fredrikstad, at the coordinates `at` (if any): its id."""
    body = alert_body()
    if at is not None:
        body["place"] = {**body["place"], "latitude": at[0], "longitude": at[1]}
    alert_id = await world.alert(
        body=body, ago=timedelta(hours=hours_ago), naloxone=False, municipality=FEDERAL
    )
    return str(alert_id)


async def read_signals(world: Scenario) -> list[dict[str, Any]]:
    """Fredrikstad's signals, as the leader (the case system) reads them."""
    response = await world.request(
        "GET", "/v1/cluster-signals", Scope.ALERTS_DETAILS, params={"municipality": FEDERAL}
    )
    assert response.status_code == 200, response.text
    answer: list[dict[str, Any]] = response.json()
    return answer


async def by_district(world: Scenario) -> dict[str | None, dict[str, Any]]:
    signals = await read_signals(world)
    found = {s["district"]: s for s in signals}
    assert len(found) == len(signals), "one signal per district"
    return found


@pytest.fixture
def world(scenario: Scenario) -> Scenario:
    """Fredrikstad's AMK, leader and admin (made when first used)."""
    return scenario


# --- The document ---------------------------------------------------------------------------


async def test_districts_are_kept_with_the_rules(world: Scenario) -> None:
    before = await read_rules(world)
    assert before["districts"] == [] and before["configured"] is False

    document = {"rules": [DISTRICT_RULE], "districts": [SENTRUM, OST]}
    put = await put_rules(world, document)
    assert put.status_code == 200, put.text
    for answer in (put.json(), await read_rules(world)):
        assert answer["districts"] == [SENTRUM, OST] and answer["configured"] is True
        assert [r["area"] for r in answer["rules"]] == ["district"]


async def test_a_client_that_sends_no_districts_still_sets_its_rules(world: Scenario) -> None:
    """`districts` is optional: the document of a client written before districts is valid,
    and replaces the districts as it replaces the rules."""
    assert (await put_rules(world, {"rules": [DISTRICT_RULE], "districts": [SENTRUM]})).is_success
    put = await put_rules(world, {"rules": [{"area": "municipality"}]})
    assert put.status_code == 200, put.text
    assert (await read_rules(world))["districts"] == []


def _doc(*districts: Any, rules: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"rules": rules if rules is not None else [DISTRICT_RULE], "districts": list(districts)}


def _named(name: str) -> dict[str, Any]:
    return {**SENTRUM, "name": name}


def _bounded(*points: list[float]) -> dict[str, Any]:
    return {**SENTRUM, "boundary": [list(p) for p in points]}


@pytest.mark.parametrize(
    ("case", "document", "field"),
    [
        ("an empty name", _doc(_named("")), "districts.0.name"),
        ("a name of spaces only", _doc(_named("   ")), "districts.0.name"),
        ("a name of 61 characters", _doc(_named("x" * 61)), "districts.0.name"),
        ("a tab in the name", _doc(_named("Sentrum\tØst")), "districts.0.name"),
        ("a line break in the name", _doc(_named("Sentrum\nØst")), "districts.0.name"),
        ("a C1 control character in the name", _doc(_named("Sen\x9ftrum")), "districts.0.name"),
        ("NUL in the name", _doc(_named("Sentrum\x00")), "districts.0.name"),
        ("a name twice", _doc(SENTRUM, OST, _named("Sentrum")), "districts.2.name"),
        ("a name twice, in other case", _doc(SENTRUM, _named("SENTRUM")), "districts.1.name"),
        ("no name", _doc({"boundary": SQUARE}), "districts.0.name"),
        ("no boundary", _doc({"name": "Sentrum"}), "districts.0.boundary"),
        ("a boundary of two points", _doc(_bounded(*SQUARE[:2])), "districts.0.boundary"),
        (
            "a boundary of too many points",
            _doc(_bounded(*([59.2, 10.9] for _ in range(MAX_BOUNDARY_POINTS + 1)))),
            "districts.0.boundary",
        ),
        (
            "a latitude beyond 90",
            _doc(_bounded([90.1, 10.92], *SQUARE[1:])),
            "districts.0.boundary.0.0",
        ),
        (
            "a longitude beyond -180",
            _doc(_bounded(SQUARE[0], [59.21, -180.1], *SQUARE[2:])),
            "districts.0.boundary.1.1",
        ),
        (
            "a point of one number",
            _doc(_bounded([59.21], *SQUARE[1:])),
            "districts.0.boundary.0.1",
        ),
        (
            "a point of three numbers",
            _doc(_bounded([59.21, 10.92, 3.0], *SQUARE[1:])),
            "districts.0.boundary.0",
        ),
        (
            "a bow tie: its edges cross",
            _doc(_bounded([59.21, 10.92], [59.23, 10.94], [59.23, 10.92], [59.21, 10.94])),
            "districts.0.boundary",
        ),
        (
            "an uneven bow tie",
            _doc(_bounded([59.0, 10.0], [59.3, 10.3], [59.3, 10.0], [59.0, 10.1])),
            "districts.0.boundary",
        ),
        (
            "points on one line: no area",
            _doc(_bounded([59.21, 10.92], [59.22, 10.92], [59.23, 10.92])),
            "districts.0.boundary",
        ),
        ("a district rule without districts", _doc(), "rules.0.area"),
        (
            "the second rule is a district rule, without districts",
            _doc(rules=[{"area": "municipality"}, DISTRICT_RULE]),
            "rules.1.area",
        ),
        (
            "a district rule with a radius",
            _doc(SENTRUM, rules=[{**DISTRICT_RULE, "radius_km": 1}]),
            "rules.0",
        ),
        ("an unknown field in a district", _doc({**SENTRUM, "id": 1}), "districts.0.id"),
        ("more than 50 districts", _doc(*(_named(f"D{i}") for i in range(51))), "districts"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
async def test_a_refused_document_names_the_field(
    world: Scenario, case: str, document: dict[str, Any], field: str
) -> None:
    problem = assert_problem(await put_rules(world, document), 422)
    fields = [e["field"] for e in problem["errors"]]
    assert field in fields, (case, problem["errors"])
    assert (await read_rules(world))["configured"] is False, "nothing was stored"


async def test_a_refusal_does_not_echo_the_coordinates(world: Scenario) -> None:
    """A refused boundary is explained without its points (they are places)."""
    bow_tie = _bounded([59.0, 10.0], [59.3, 10.3], [59.3, 10.0], [59.0, 10.1])
    problem = assert_problem(await put_rules(world, _doc(bow_tie)), 422)
    assert "59" not in str(problem["errors"]) and "10.3" not in problem["detail"]


async def test_other_districts_and_rules_are_kept_with_district_rules(world: Scenario) -> None:
    """A district list without district rules is kept (to be used later); the other rules
    ignore it."""
    document = _doc(SENTRUM, rules=[{"area": "municipality"}])
    assert (await put_rules(world, document)).status_code == 200
    assert (await read_rules(world))["districts"] == [SENTRUM]


# --- Signals --------------------------------------------------------------------------------


async def test_a_district_signal_is_raised_through_the_engine(world: Scenario) -> None:
    put = await put_rules(world, _doc(SENTRUM, OST))
    assert put.status_code == 200, put.text

    sentrum = [await post_alert(world, hours_ago=h, at=IN_SENTRUM) for h in (5, 4)]
    await post_alert(world, hours_ago=4, at=IN_OST)
    await post_alert(world, hours_ago=3, at=OUTSIDE)
    await post_alert(world, hours_ago=3, at=None)
    await world.settle()
    assert await read_signals(world) == [], "two in Sentrum; the others in Øst, nowhere, unplaced"

    sentrum.append(await post_alert(world, hours_ago=2, at=IN_SENTRUM))
    await world.settle()
    [signal] = await read_signals(world)
    assert signal["district"] == "Sentrum" and signal["rule"]["area"] == "district"
    assert sorted(signal["alert_ids"]) == sorted(sentrum) and signal["event_count"] == 3
    assert signal["centre"] == {"latitude": 59.22, "longitude": 10.93}

    world.advance(timedelta(minutes=10))
    ost = [await post_alert(world, hours_ago=h, at=IN_OST) for h in (1, 0.5)]
    await world.settle()
    signals = await by_district(world)
    assert set(signals) == {"Sentrum", "Øst"}, "a signal of its own: districts never merge"
    assert signals["Sentrum"] == signal, "Sentrum's signal took nothing from Øst"
    assert signals["Øst"]["event_count"] == 3 and set(ost) <= set(signals["Øst"]["alert_ids"])
    assert not set(signals["Øst"]["alert_ids"]) & set(sentrum)

    world.advance(timedelta(minutes=10))
    fourth = await post_alert(world, hours_ago=0, at=IN_SENTRUM)
    await world.settle()
    grown = (await by_district(world))["Sentrum"]
    assert grown["id"] == signal["id"] and grown["event_count"] == 4
    assert fourth in grown["alert_ids"]


async def test_a_redrawn_district_raises_its_own_signal(world: Scenario) -> None:
    """A signal belongs to its district: the same alerts in a renamed district do not grow
    the old district's signal (as a changed rule raises signals of its own)."""
    assert (await put_rules(world, _doc(SENTRUM))).status_code == 200
    for hours in (2, 1, 0):
        await post_alert(world, hours_ago=hours, at=IN_SENTRUM)
    await world.settle()
    [old] = await read_signals(world)

    assert (await put_rules(world, _doc(_named("Sentrum nord")))).status_code == 200
    world.advance(timedelta(minutes=10))
    await post_alert(world, hours_ago=0, at=IN_SENTRUM)
    await world.settle()
    signals = await by_district(world)
    assert signals["Sentrum"] == old
    assert signals["Sentrum nord"]["event_count"] == 4


async def test_municipality_and_district_rules_side_by_side(world: Scenario) -> None:
    rules = [{"area": "municipality"}, DISTRICT_RULE]
    assert (await put_rules(world, _doc(SENTRUM, OST, rules=rules))).status_code == 200
    for hours, at in ((3, IN_SENTRUM), (2, IN_OST), (1, None)):
        await post_alert(world, hours_ago=hours, at=at)
    await world.settle()
    [signal] = await read_signals(world)
    assert signal["rule"]["area"] == "municipality" and signal["district"] is None
    assert signal["event_count"] == 3, "each counts in the municipality, none in a district"
