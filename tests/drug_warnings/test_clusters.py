"""The cluster rule (pure), table-tested at its edges: N-1 and N events, the window boundary
(inclusive), the radius boundary (haversine, inclusive), another municipality, and districts:
inside, on and just outside a boundary, two districts that never merge, alerts without
coordinates, and the boundaries a district refuses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.drug_warnings.clusters import (
    DEFAULT_RULES,
    MAX_BOUNDARY_POINTS,
    AreaKind,
    ClusterRule,
    District,
    Event,
    boundary_problem,
    detect,
    district_of,
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
    at: tuple[float, float] | None = None,
) -> Event:
    """An overdose `hours` (and `seconds`) after T0; with `north_km`, that far north of
    CENTRE, with `at`, at that (latitude, longitude) (neither: no coordinates kept, as on an
    objected alert)."""
    latitude = longitude = None
    if north_km is not None:
        latitude = CENTRE[0] + north_km / KM_PER_DEGREE_LATITUDE
        longitude = CENTRE[1]
    if at is not None:
        latitude, longitude = at
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
        ({"area": AreaKind.DISTRICT, "min_count": 4}, "district:4/6h"),
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
        {"area": AreaKind.DISTRICT, "radius_km": 1.0},
    ],
)
def test_impossible_rules_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ClusterRule(**kwargs)  # type: ignore[arg-type]


def test_the_default_is_three_within_six_hours_in_the_municipality() -> None:
    [rule] = DEFAULT_RULES
    assert rule == ClusterRule(3, timedelta(hours=6), AreaKind.MUNICIPALITY, None)


# --- Districts ------------------------------------------------------------------------------

SENTRUM = District("Sentrum", ((59.21, 10.92), (59.21, 10.94), (59.23, 10.94), (59.23, 10.92)))
"""A rectangle around CENTRE: latitude 59.21-59.23, longitude 10.92-10.94."""
OST = District("Øst", ((59.21, 10.94), (59.21, 10.96), (59.23, 10.96), (59.23, 10.94)))
"""East of Sentrum, sharing its border at longitude 10.94."""
DISTRICTS = (SENTRUM, OST)
DISTRICT = ClusterRule(area=AreaKind.DISTRICT)

IN_SENTRUM = (59.22, 10.93)
IN_OST = (59.22, 10.95)
ON_SENTRUMS_WEST_EDGE = (59.22, 10.92)
ON_THE_SHARED_BORDER = (59.22, 10.94)
JUST_WEST_OF_SENTRUM = (59.22, 10.92 - 1e-7)  # about a centimetre outside
NORTH_OF_EVERY_DISTRICT = (59.25, 10.93)


def district_sizes(
    events: list[Event], districts: tuple[District, ...] = DISTRICTS
) -> list[tuple[str | None, int]]:
    found = detect(events, DISTRICT, municipality_code=HOME, districts=districts)
    return [(c.district, len(c.alert_ids)) for c in found]


@pytest.mark.parametrize(
    ("case", "events", "expected"),
    [
        ("N-1 in one district: no signal", [event(h, at=IN_SENTRUM) for h in (0, 1)], []),
        (
            "N in one district: a signal naming it",
            [event(h, at=IN_SENTRUM) for h in (0, 1, 2)],
            [("Sentrum", 3)],
        ),
        (
            "first and last exactly H apart: inside (inclusive)",
            [event(h, at=IN_SENTRUM) for h in (0, 3, 6)],
            [("Sentrum", 3)],
        ),
        (
            "first and last H and one second apart: outside",
            [event(0, at=IN_SENTRUM), event(3, at=IN_SENTRUM), event(6, seconds=1, at=IN_SENTRUM)],
            [],
        ),
        (
            "third on the boundary: inside",
            [event(0, at=IN_SENTRUM), event(1, at=IN_SENTRUM), event(2, at=ON_SENTRUMS_WEST_EDGE)],
            [("Sentrum", 3)],
        ),
        (
            "third just outside the boundary: not counted",
            [event(0, at=IN_SENTRUM), event(1, at=IN_SENTRUM), event(2, at=JUST_WEST_OF_SENTRUM)],
            [],
        ),
        (
            "third outside every district: not counted",
            [
                event(0, at=IN_SENTRUM),
                event(1, at=IN_SENTRUM),
                event(2, at=NORTH_OF_EVERY_DISTRICT),
            ],
            [],
        ),
        (
            "third without coordinates: in no district",
            [event(0, at=IN_SENTRUM), event(1, at=IN_SENTRUM), event(2)],
            [],
        ),
        (
            "N without coordinates: in no district",
            [event(h) for h in (0, 1, 2)],
            [],
        ),
        (
            "two in one district and one in its neighbour: two districts never merge",
            [event(0, at=IN_SENTRUM), event(1, at=IN_SENTRUM), event(2, at=IN_OST)],
            [],
        ),
        (
            "N in each: a cluster each",
            [event(h, at=IN_SENTRUM) for h in (0, 1, 2)] + [event(h, at=IN_OST) for h in (1, 2, 3)],
            [("Sentrum", 3), ("Øst", 3)],
        ),
        (
            "interleaved in time across the border: still a cluster each, never one of six",
            [event(h, at=IN_SENTRUM) for h in (0, 1, 2)]
            + [event(h, at=IN_OST) for h in (0.5, 1.5, 2.5)],
            [("Sentrum", 3), ("Øst", 3)],
        ),
        (
            "on the shared border: in the first listed (Sentrum)",
            [event(0, at=IN_SENTRUM), event(1, at=IN_SENTRUM), event(2, at=ON_THE_SHARED_BORDER)],
            [("Sentrum", 3)],
        ),
        (
            "another municipality's overdoses in the district are not counted",
            [
                event(0, at=IN_SENTRUM),
                event(1, at=IN_SENTRUM),
                event(2, at=IN_SENTRUM, municipality=OTHER),
            ],
            [],
        ),
        (
            "a chain of overlapping windows in a district is one growing cluster",
            [event(h, at=IN_SENTRUM) for h in (0, 2, 4, 6, 8)],
            [("Sentrum", 5)],
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_district_area(
    case: str, events: list[Event], expected: list[tuple[str | None, int]]
) -> None:
    assert district_sizes(events) == expected, case


def test_the_shared_border_belongs_to_the_first_district_listed() -> None:
    events = [event(0, at=IN_OST), event(1, at=IN_OST), event(2, at=ON_THE_SHARED_BORDER)]
    assert district_sizes(events, (SENTRUM, OST)) == []
    assert district_sizes(events, (OST, SENTRUM)) == [("Øst", 3)]


def test_without_districts_a_district_rule_finds_nothing() -> None:
    events = [event(h, at=IN_SENTRUM) for h in (0, 1, 2)]
    assert district_sizes(events, ()) == []
    assert sizes(events, MUNICIPALITY) == [3], "they still count in the municipality"


def test_a_district_cluster_names_its_district_events_and_centre() -> None:
    events = [event(2, at=(59.221, 10.93)), event(0, at=(59.219, 10.93)), event(1, at=IN_SENTRUM)]
    [cluster] = detect(events, DISTRICT, municipality_code=HOME, districts=DISTRICTS)
    assert cluster.district == "Sentrum" and cluster.rule is DISTRICT
    assert cluster.alert_ids == {e.alert_id for e in events}
    assert (cluster.first_at, cluster.last_at) == (T0, T0 + timedelta(hours=2))
    assert cluster.centre == pytest.approx(IN_SENTRUM)
    [plain] = detect(events, MUNICIPALITY, municipality_code=HOME, districts=DISTRICTS)
    assert plain.district is None, "only a district rule names a district"


L_SHAPE = District(
    "Vest",
    ((59.0, 10.0), (59.0, 10.2), (59.1, 10.2), (59.1, 10.1), (59.2, 10.1), (59.2, 10.0)),
)
"""An L: the square 59.1-59.2 x 10.1-10.2 is cut out of it."""


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        (IN_SENTRUM, SENTRUM),
        (IN_OST, OST),
        (ON_SENTRUMS_WEST_EDGE, SENTRUM),
        ((59.21, 10.92), SENTRUM),  # a corner
        (ON_THE_SHARED_BORDER, SENTRUM),
        (JUST_WEST_OF_SENTRUM, None),
        ((59.23 + 1e-7, 10.93), None),  # just north
        (NORTH_OF_EVERY_DISTRICT, None),
        ((10.93, 59.22), None),  # latitude and longitude swapped
        (None, None),
    ],
)
def test_district_of(position: tuple[float, float] | None, expected: District | None) -> None:
    assert district_of(position, DISTRICTS) is expected


@pytest.mark.parametrize(
    ("position", "inside"),
    [
        ((59.05, 10.05), True),
        ((59.05, 10.15), True),  # the foot of the L
        ((59.15, 10.05), True),  # its stem
        ((59.15, 10.15), False),  # the cut-out corner: inside the bounding box, not the L
        ((59.1, 10.15), True),  # on the inner edge
        ((59.15, 10.1), True),
    ],
)
def test_a_concave_district(position: tuple[float, float], inside: bool) -> None:
    assert L_SHAPE.holds(position) is inside


SQUARE = [(59.0, 10.0), (59.0, 10.1), (59.1, 10.1), (59.1, 10.0)]


@pytest.mark.parametrize(
    ("case", "boundary", "refused"),
    [
        ("a square", SQUARE, False),
        ("a square whose last point repeats the first", [*SQUARE, SQUARE[0]], False),
        ("a triangle: the fewest points", SQUARE[:3], False),
        ("a point repeated in a row", [SQUARE[0], *SQUARE], False),
        ("two points", SQUARE[:2], True),
        ("three points, the last repeating the first", [*SQUARE[:2], SQUARE[0]], True),
        ("three points on one line", [(59.0, 10.0), (59.1, 10.0), (59.2, 10.0)], True),
        (
            "a bow tie: its edges cross",
            [(59.0, 10.0), (59.1, 10.1), (59.1, 10.0), (59.0, 10.1)],
            True,
        ),
        (
            "an uneven bow tie (it has an area, but crosses itself)",
            [(59.0, 10.0), (59.3, 10.3), (59.3, 10.0), (59.0, 10.1)],
            True,
        ),
        (
            "an edge that goes back along itself",
            [(59.0, 10.0), (59.0, 10.1), (59.1, 10.1), (59.0, 10.1), (59.1, 10.0)],
            True,
        ),
        ("latitude beyond 90", [(90.5, 10.0), (59.0, 10.1), (59.1, 10.1)], True),
        ("longitude beyond -180", [(59.0, -180.5), (59.0, 10.1), (59.1, 10.1)], True),
        ("latitude 90 and longitude 180: the edges", [(90, 180), (0, 180), (0, 0)], False),
        ("one point too many", SQUARE * (MAX_BOUNDARY_POINTS // 4) + SQUARE[:1], True),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_boundaries(case: str, boundary: list[tuple[float, float]], refused: bool) -> None:
    problem = boundary_problem(boundary)
    assert (problem is not None) is refused, (case, problem)
    if refused:
        with pytest.raises(ValueError, match="the boundary"):
            District("X", tuple(boundary))
    else:
        District("X", tuple(boundary))
