"""The cluster rule (pure), table-tested at its edges: N-1 and N events, the window boundary
(inclusive), the radius boundary (haversine, inclusive), another municipality."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.drug_warnings.clusters import (
    DEFAULT_RULES,
    AreaKind,
    ClusterRule,
    Event,
    detect,
    haversine_km,
)

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
HOME = "3107"
OTHER = "0301"
KM_PER_DEGREE_LATITUDE = 111.19508  # 2 * pi * 6371.0088 / 360
CENTRE = (59.2181, 10.9298)

MUNICIPALITY = ClusterRule()
RADIUS = ClusterRule(area=AreaKind.RADIUS, radius_km=1.0)


def event(
    hours: float = 0,
    *,
    seconds: float = 0,
    municipality: str = HOME,
    north_km: float | None = None,
) -> Event:
    """An overdose `hours` (and `seconds`) after T0; with `north_km`, that far north of
    CENTRE (None: no coordinates kept, as on an objected alert)."""
    latitude = longitude = None
    if north_km is not None:
        latitude = CENTRE[0] + north_km / KM_PER_DEGREE_LATITUDE
        longitude = CENTRE[1]
    return Event(
        alert_id=uuid.uuid4(),
        municipality_code=municipality,
        at=T0 + timedelta(hours=hours, seconds=seconds),
        latitude=latitude,
        longitude=longitude,
    )


def sizes(events: list[Event], rule: ClusterRule) -> list[int]:
    return [len(c.alert_ids) for c in detect(events, rule, municipality_code=HOME)]


@pytest.mark.parametrize(
    ("case", "events", "expected"),
    [
        ("N-1 within the window: no signal", [event(0), event(1)], []),
        ("N within the window: a signal", [event(0), event(1), event(2)], [3]),
        ("N at the same instant", [event(0), event(0), event(0)], [3]),
        (
            "first and last exactly H apart: inside (inclusive)",
            [event(0), event(3), event(6)],
            [3],
        ),
        (
            "first and last H and one second apart: outside",
            [event(0), event(3), event(6, seconds=1)],
            [],
        ),
        (
            "one second less than H: inside",
            [event(0), event(3), event(6, seconds=-1)],
            [3],
        ),
        (
            "another municipality's overdose is not counted",
            [event(0), event(1), event(2, municipality=OTHER)],
            [],
        ),
        (
            "another municipality's overdoses never make a cluster here",
            [event(0, municipality=OTHER) for _ in range(5)],
            [],
        ),
        (
            "objected alerts (no place) count in the municipality",
            [event(0), event(1), event(2)],
            [3],
        ),
        (
            "a chain of overlapping windows is one growing cluster",
            [event(h) for h in (0, 2, 4, 6, 8)],
            [5],
        ),
        (
            "a gap longer than H between windows: two clusters",
            [event(h) for h in (0, 1, 2, 20, 21, 22)],
            [3, 3],
        ),
        (
            "every other H: never N within one window",
            [event(h) for h in (0, 4, 8, 12)],
            [],
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_municipality_area(case: str, events: list[Event], expected: list[int]) -> None:
    assert sizes(events, MUNICIPALITY) == expected, case


@pytest.mark.parametrize(
    ("case", "events", "expected"),
    [
        (
            "third just inside the radius",
            [event(0, north_km=0), event(1, north_km=-0.5), event(2, north_km=0.999)],
            [3],
        ),
        (
            "third just outside the radius of every centre",
            [event(0, north_km=0), event(1, north_km=-0.5), event(2, north_km=1.001)],
            [],
        ),
        (
            "a third without coordinates is not in any radius",
            [event(0, north_km=0), event(1, north_km=0.1), event(2)],
            [],
        ),
        (
            "close in place, apart in time",
            [event(0, north_km=0), event(3, north_km=0.1), event(6, seconds=1, north_km=0.2)],
            [],
        ),
        (
            "close to each other but in another municipality",
            [
                event(0, north_km=0),
                event(1, north_km=0.1),
                event(2, north_km=0.2, municipality=OTHER),
            ],
            [],
        ),
        (
            "two places far apart: two clusters",
            [event(h, north_km=0) for h in (0, 1, 2)] + [event(h, north_km=10) for h in (0, 1, 2)],
            [3, 3],
        ),
        (
            "N-1 near, more far: no signal",
            [event(0, north_km=0), event(1, north_km=0.2), event(2, north_km=5)],
            [],
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_radius_area(case: str, events: list[Event], expected: list[int]) -> None:
    assert sizes(events, RADIUS) == expected, case


def test_exactly_on_the_radius_is_inside() -> None:
    """The radius is inclusive: a rule whose radius is exactly the distance counts the event."""
    events = [event(0, north_km=0), event(1, north_km=-0.5), event(2, north_km=1.3)]
    assert events[0].position is not None and events[2].position is not None
    exact = haversine_km(events[0].position, events[2].position)
    on_the_edge = ClusterRule(area=AreaKind.RADIUS, radius_km=exact)
    assert sizes(events, on_the_edge) == [3]
    just_short = ClusterRule(area=AreaKind.RADIUS, radius_km=exact * (1 - 1e-9))
    assert sizes(events, just_short) == []


def test_the_same_events_in_the_municipality_area() -> None:
    """What no radius holds (apart, or without a place) still counts in the municipality."""
    events = [event(0, north_km=0), event(1, north_km=5), event(2)]
    assert sizes(events, RADIUS) == []
    assert sizes(events, MUNICIPALITY) == [3]


def test_a_cluster_names_its_events_times_and_centre() -> None:
    events = [event(2, north_km=0.2), event(0, north_km=0), event(1, north_km=0.1)]
    [cluster] = detect(events, RADIUS, municipality_code=HOME)
    assert cluster.alert_ids == {e.alert_id for e in events}
    assert (cluster.first_at, cluster.last_at) == (T0, T0 + timedelta(hours=2))
    assert cluster.centre is not None
    assert cluster.centre[0] == pytest.approx(CENTRE[0] + 0.1 / KM_PER_DEGREE_LATITUDE)
    assert cluster.centre[1] == pytest.approx(CENTRE[1])
    [plain] = detect(events, MUNICIPALITY, municipality_code=HOME)
    assert plain.centre is None


def test_haversine() -> None:
    assert haversine_km(CENTRE, CENTRE) == 0
    assert haversine_km((0, 0), (1, 0)) == pytest.approx(KM_PER_DEGREE_LATITUDE, rel=1e-6)
    assert haversine_km((0, 0), (0, 1)) == pytest.approx(KM_PER_DEGREE_LATITUDE, rel=1e-6)
    # Fredrikstad - Oslo, about 78 km as the crow flies
    assert haversine_km((59.2181, 10.9298), (59.9139, 10.7522)) == pytest.approx(78, abs=3)
    # A degree of longitude shrinks with the cosine of the latitude
    at_60 = haversine_km((60, 10), (60, 11))
    assert at_60 == pytest.approx(KM_PER_DEGREE_LATITUDE / 2, rel=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({}, "municipality:3/6h"),
        ({"min_count": 4, "window": timedelta(hours=12)}, "municipality:4/12h"),
        ({"area": AreaKind.RADIUS, "radius_km": 1.5}, "radius:1.5km:3/6h"),
        ({"window": timedelta(minutes=90)}, "municipality:3/1.5h"),
    ],
)
def test_rule_keys(kwargs: dict[str, object], key: str) -> None:
    assert ClusterRule(**kwargs).key == key  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_count": 1},
        {"window": timedelta(0)},
        {"area": AreaKind.RADIUS},
        {"area": AreaKind.RADIUS, "radius_km": 0},
        {"radius_km": 1.0},
    ],
)
def test_impossible_rules_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ClusterRule(**kwargs)  # type: ignore[arg-type]


def test_the_default_is_three_within_six_hours_in_the_municipality() -> None:
    [rule] = DEFAULT_RULES
    assert rule == ClusterRule(3, timedelta(hours=6), AreaKind.MUNICIPALITY, None)
