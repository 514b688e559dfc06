"""Cluster detection: N overdoses within H hours in one area raise a signal (pure).

The rule, as table-tested in tests/test_clusters.py:

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
* Groups that share an event are one cluster (a chain of overdoses is one situation, which a
  growing signal follows), reported with its events, its first and last time and, for a
  radius, the mean of its coordinates.

Districts are not an area: an alert carries no district, only free text and coordinates.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

EARTH_RADIUS_KM = 6371.0088
"""The mean earth radius (IUGG), what the haversine distance assumes."""
DEFAULT_MIN_COUNT = 3
DEFAULT_WINDOW = timedelta(hours=6)


class AreaKind(StrEnum):
    MUNICIPALITY = "municipality"
    RADIUS = "radius"


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
    """`min_count` events within `window` in one area; a radius area needs `radius_km`."""

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
        """Names the rule in a signal: a changed rule raises signals of its own."""
        hours = f"{self.window.total_seconds() / 3600:g}h"
        if self.area is AreaKind.RADIUS:
            return f"radius:{self.radius_km:g}km:{self.min_count}/{hours}"
        return f"municipality:{self.min_count}/{hours}"


DEFAULT_RULES: tuple[ClusterRule, ...] = (ClusterRule(),)
"""Three overdoses within six hours in the municipality."""


@dataclass(frozen=True, slots=True)
class Cluster:
    rule: ClusterRule
    municipality_code: str
    alert_ids: frozenset[uuid.UUID]
    first_at: datetime
    last_at: datetime
    centre: tuple[float, float] | None = None
    """For a radius area: the mean of the events' coordinates."""


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (latitude, longitude) points in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def detect(events: Iterable[Event], rule: ClusterRule, *, municipality_code: str) -> list[Cluster]:
    """The clusters of `municipality_code`'s events under `rule`, earliest first."""
    own = sorted(
        (e for e in events if e.municipality_code == municipality_code),
        key=lambda e: (e.at, e.alert_id),
    )
    if rule.area is AreaKind.MUNICIPALITY:
        groups = _time_groups(own, rule)
    else:
        assert rule.radius_km is not None  # checked by ClusterRule
        placed = [(e, e.position) for e in own if e.position is not None]
        groups = []
        for _, centre in placed:
            near = [e for e, at in placed if haversine_km(centre, at) <= rule.radius_km]
            groups += _time_groups(near, rule)
    return [_cluster(members, rule, municipality_code) for members in _merged(groups)]


def _time_groups(events: Sequence[Event], rule: ClusterRule) -> list[list[Event]]:
    """Every run of at least `min_count` events (sorted by time) spanning at most `window`."""
    groups: list[list[Event]] = []
    start = 0
    for end, last in enumerate(events):
        while last.at - events[start].at > rule.window:
            start += 1
        if end - start + 1 >= rule.min_count:
            groups.append(list(events[start : end + 1]))
    return groups


def _merged(groups: list[list[Event]]) -> list[list[Event]]:
    """Groups that share an event, as one (union-find over alert ids)."""
    parent: dict[uuid.UUID, uuid.UUID] = {}
    events: dict[uuid.UUID, Event] = {}

    def root(alert_id: uuid.UUID) -> uuid.UUID:
        while parent[alert_id] != alert_id:
            parent[alert_id] = parent[parent[alert_id]]
            alert_id = parent[alert_id]
        return alert_id

    for group in groups:
        for event in group:
            events[event.alert_id] = event
            parent.setdefault(event.alert_id, event.alert_id)
        first = root(group[0].alert_id)
        for event in group[1:]:
            parent[root(event.alert_id)] = first
    by_root: dict[uuid.UUID, list[Event]] = {}
    for alert_id, event in events.items():
        by_root.setdefault(root(alert_id), []).append(event)
    ordered = [sorted(members, key=lambda e: (e.at, e.alert_id)) for members in by_root.values()]
    return sorted(ordered, key=lambda members: (members[0].at, members[0].alert_id))


def _cluster(members: list[Event], rule: ClusterRule, municipality_code: str) -> Cluster:
    centre = None
    if rule.area is AreaKind.RADIUS:
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
    )
