"""Cluster detection: N overdoses within H hours in one area raise a signal (pure).

The rule, as table-tested in tests/drug_warnings/test_clusters.py:

* **Time.** An event's time is when the overdose happened (`occurred_at`), not when the alert
  arrived: an alert sent late still belongs where it happened. N events are "within H hours"
  when the first and the last are at most H apart: **the window is inclusive**, so events at
  12:00 and 18:00 are within 6 hours of each other and one at 18:00:01 is not. Inclusive is
  the protective reading; a signal only asks the leader to look, nothing is sent without them.
* **Area: the municipality.** Every event of the municipality counts, an objected (anonymous)
  alert too: it has no place, but it still happened there. Events of another municipality
  never count.
* **Area: a radius.** Only events whose coordinates were kept count. A group is the events
  within `radius_km` (great-circle distance by the haversine formula, inclusive) of one of
  them, the centre; every event in turn is tried as the centre.
* **Area: a district** (bydel). An alert carries no district, only free text and
  coordinates, so the municipality draws its districts: each a named polygon of
  (latitude, longitude) points, kept with its cluster rules (`settings`, admin API). An event
  counts in the district whose polygon holds its kept coordinates (`district_of`); a point
  on the boundary is inside (inclusive, as the window and the radius are). Where districts
  overlap or share a border, the first in the municipality's list holds the point, so an
  event is in one district at most. Events without coordinates, or outside every district,
  count in no district (they still count in the municipality area). Each district is
  detected on its own: its clusters never take in another district's events, so two
  districts never merge, and its signals name it (`Cluster.district`).
* Groups that share an event are one cluster (a chain of overdoses is one situation, which a
  growing signal follows), reported with its events, its first and last time and, for a
  radius or a district, the mean of its coordinates.

Polygons are tested by `shapely` (GEOS), in plain degrees: an edge is a straight line
between two (longitude, latitude) points, which at the size of a district is the street map's
line to well under a metre. Boundaries across the antimeridian or around a pole are not
districts and are not supported. `boundary_problem` says why a boundary is refused (too few
points, crossing edges, no area); the admin API refuses such a boundary with a 422.
"""

from __future__ import annotations

import itertools
import math
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import cast

import shapely
from shapely.geometry import Point, Polygon

EARTH_RADIUS_KM = 6371.0088
"""The mean earth radius (IUGG), what the haversine distance assumes."""
DEFAULT_MIN_COUNT = 3
DEFAULT_WINDOW = timedelta(hours=6)
MIN_BOUNDARY_POINTS = 3
MAX_BOUNDARY_POINTS = 500


class AreaKind(StrEnum):
    MUNICIPALITY = "municipality"
    RADIUS = "radius"
    DISTRICT = "district"


@dataclass(frozen=True, slots=True)
class Event:
    """One overdose as the rule sees it: no personal data but where and when."""

    alert_id: uuid.UUID
    municipality_code: str
    at: datetime
    latitude: float | None = None
    longitude: float | None = None

    @property
    def position(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)


@dataclass(frozen=True, slots=True)
class ClusterRule:
    """`min_count` events within `window` in one area; a radius area needs `radius_km`, a
    district area the municipality's districts (given to `detect`)."""

    min_count: int = DEFAULT_MIN_COUNT
    window: timedelta = DEFAULT_WINDOW
    area: AreaKind = AreaKind.MUNICIPALITY
    radius_km: float | None = None

    def __post_init__(self) -> None:
        if self.min_count < 2:
            raise ValueError("a cluster needs at least 2 events")
        if self.window <= timedelta(0):
            raise ValueError("the window must be positive")
        if self.area is AreaKind.RADIUS:
            if self.radius_km is None or not self.radius_km > 0:
                raise ValueError("a radius area needs a positive radius_km")
        elif self.radius_km is not None:
            raise ValueError("radius_km is only for a radius area")

    @property
    def key(self) -> str:
        """Names the rule in a signal: a changed rule raises signals of its own. A district
        rule's key names no district: a signal keeps its district beside the key."""
        hours = f"{self.window.total_seconds() / 3600:g}h"
        if self.area is AreaKind.RADIUS:
            return f"radius:{self.radius_km:g}km:{self.min_count}/{hours}"
        return f"{self.area.value}:{self.min_count}/{hours}"


DEFAULT_RULES: tuple[ClusterRule, ...] = (ClusterRule(),)
"""Three overdoses within six hours in the municipality."""


def boundary_problem(boundary: Sequence[tuple[float, float]]) -> str | None:
    """Why `boundary` ((latitude, longitude) points, in order around) is no district, or
    None. The polygon closes itself: the last point may repeat the first, or not."""
    if not MIN_BOUNDARY_POINTS <= len(boundary) <= MAX_BOUNDARY_POINTS:
        return f"needs {MIN_BOUNDARY_POINTS} to {MAX_BOUNDARY_POINTS} points"
    for latitude, longitude in boundary:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return "a point beyond latitude -90..90 or longitude -180..180"
    polygon = _polygon(boundary)
    if polygon.is_valid and polygon.area > 0:
        return None
    if polygon.area == 0:
        return "encloses no area: its points lie on one line, repeat, or its edges cross"
    return "its edges cross or touch: a boundary goes once around the district"


def _polygon(boundary: Sequence[tuple[float, float]]) -> Polygon:
    """The boundary as a shapely polygon: x is the longitude, y the latitude."""
    return Polygon([(longitude, latitude) for latitude, longitude in boundary])


@dataclass(frozen=True, slots=True)
class District:
    """A named area the municipality drew: a polygon of (latitude, longitude) points."""

    name: str
    boundary: tuple[tuple[float, float], ...]
    _shape: Polygon = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problem = boundary_problem(self.boundary)
        if problem is not None:
            raise ValueError(f"the boundary {problem}")
        shape = _polygon(self.boundary)
        shapely.prepare(shape)  # the same polygon tests many points
        object.__setattr__(self, "_shape", shape)

    def holds(self, position: tuple[float, float]) -> bool:
        """Whether the (latitude, longitude) point is inside or on the boundary."""
        latitude, longitude = position
        return bool(self._shape.covers(Point(longitude, latitude)))


def district_of(
    position: tuple[float, float] | None, districts: Sequence[District]
) -> District | None:
    """The district that holds `position`: the first in `districts` whose polygon holds it
    (boundary included); None without a position or outside every district."""
    if position is None:
        return None
    return next((d for d in districts if d.holds(position)), None)


@dataclass(frozen=True, slots=True)
class Cluster:
    rule: ClusterRule
    municipality_code: str
    alert_ids: frozenset[uuid.UUID]
    first_at: datetime
    last_at: datetime
    centre: tuple[float, float] | None = None
    """For a radius or a district area: the mean of the events' coordinates."""
    district: str | None = None
    """For a district area: the name of the district it is in."""


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (latitude, longitude) points in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def detect(
    events: Iterable[Event],
    rule: ClusterRule,
    *,
    municipality_code: str,
    districts: Sequence[District] = (),
) -> list[Cluster]:
    """The clusters of `municipality_code`'s events under `rule`, earliest first.

    `districts` are the municipality's, for a district rule (without any, a district rule
    finds nothing); the other rules ignore them. Each alert id once. The cost, after sorting
    by time, is one pass over the events for a municipality or a district rule; a radius rule
    costs, for each distinct place, the events within the radius of it (`_neighbourhoods`):
    at worst, with many places all within a radius of one another, places times events,
    which is why the worker runs the rule in a thread.
    """
    own = sorted(
        (e for e in events if e.municipality_code == municipality_code),
        key=lambda e: (e.at, e.alert_id),
    )
    if rule.area is AreaKind.MUNICIPALITY:
        return [_cluster(run, rule, municipality_code, None) for run in _runs(own, rule)]
    if rule.area is AreaKind.DISTRICT:
        by_district: dict[str, list[Event]] = {}
        placed: dict[tuple[float, float], District | None] = {}  # a burst comes from one place
        for e in own:
            if (position := e.position) is None:
                continue
            if position not in placed:
                placed[position] = district_of(position, districts)
            if (district := placed[position]) is not None:
                by_district.setdefault(district.name, []).append(e)
        found = [
            _cluster(run, rule, municipality_code, name)
            for name, members in by_district.items()
            for run in _runs(members, rule)
        ]
        return sorted(found, key=lambda c: (c.first_at, min(c.alert_ids)))
    return [_cluster(run, rule, municipality_code, None) for run in _radius_runs(own, rule)]


def _runs(events: Sequence[Event], rule: ClusterRule) -> list[list[Event]]:
    """The clusters among `events` (sorted by time), each a run of them (`_run_bounds`)."""
    return [list(events[a : b + 1]) for a, b in _run_bounds([e.at for e in events], rule)]


def _run_bounds(times: Sequence[datetime], rule: ClusterRule) -> list[tuple[int, int]]:
    """The clusters among events at `times` (sorted), as (first, last) index, in one pass.

    A group is, for each event as the last, the events from the first one within `window`
    of it: times[start..end], if at least `min_count`. Groups that share an event are one
    cluster. `start` and `end` only move forward, so a group shares an event with those
    before it exactly when it starts at or before the last index they cover: a cluster is a
    chain of such groups, a contiguous run of events.
    """
    runs: list[tuple[int, int]] = []
    start = 0
    for end, at in enumerate(times):
        while at - times[start] > rule.window:
            start += 1
        if end - start + 1 < rule.min_count:
            continue
        if runs and start <= runs[-1][1]:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    return runs


def _radius_runs(own: Sequence[Event], rule: ClusterRule) -> list[list[Event]]:
    """The radius rule's clusters among `own` (sorted by time): every placed event in turn is
    the centre of the events within `radius_km` of it, whose groups (`_run_bounds`) join the
    events they hold; groups that share an event, from any centre, are one cluster."""
    assert rule.radius_km is not None  # checked by ClusterRule
    placed = [e for e in own if e.position is not None]
    times = [e.at for e in placed]
    parent = list(range(len(placed)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    grouped: set[int] = set()
    done: set[tuple[int, ...]] = set()  # many places may see the very same events
    for near in _neighbourhoods(placed, rule.radius_km):
        if near in done:
            continue
        done.add(near)
        for a, b in _run_bounds([times[i] for i in near], rule):
            grouped.update(near[a : b + 1])
            for i, j in itertools.pairwise(near[a : b + 1]):
                parent[root(j)] = root(i)
    by_root: dict[int, list[int]] = {}
    for i in sorted(grouped):
        by_root.setdefault(root(i), []).append(i)
    runs = sorted(by_root.values(), key=lambda members: members[0])
    return [[placed[i] for i in members] for members in runs]


def _neighbourhoods(placed: Sequence[Event], radius_km: float) -> Iterator[tuple[int, ...]]:
    """For each distinct place among `placed` (each has a position), the indexes of the
    events within `radius_km` of it (haversine, inclusive), in order.

    Places are kept in bands of latitude a radius high (a hair more, against rounding): two
    places more than one band apart are further apart than the radius (a great circle is at
    least as long as its change in latitude), so only the neighbouring bands are measured.
    """
    at: dict[tuple[float, float], list[int]] = {}
    for i, e in enumerate(placed):
        at.setdefault(cast(tuple[float, float], e.position), []).append(i)
    band_degrees = math.degrees(radius_km / EARTH_RADIUS_KM) * (1 + 1e-9)
    bands: dict[int, list[tuple[float, float]]] = {}
    for place in at:
        bands.setdefault(math.floor(place[0] / band_degrees), []).append(place)
    for place in at:
        band = math.floor(place[0] / band_degrees)
        near = [
            i
            for b in (band - 1, band, band + 1)
            for other in bands.get(b, ())
            if haversine_km(place, other) <= radius_km
            for i in at[other]
        ]
        yield tuple(sorted(near))


def _cluster(
    members: list[Event], rule: ClusterRule, municipality_code: str, district: str | None
) -> Cluster:
    centre = None
    if rule.area is not AreaKind.MUNICIPALITY:  # every member has its coordinates
        positions = [e.position for e in members if e.position is not None]
        centre = (
            sum(p[0] for p in positions) / len(positions),
            sum(p[1] for p in positions) / len(positions),
        )
    return Cluster(
        rule=rule,
        municipality_code=municipality_code,
        alert_ids=frozenset(e.alert_id for e in members),
        first_at=members[0].at,
        last_at=members[-1].at,
        centre=centre,
        district=district,
    )
