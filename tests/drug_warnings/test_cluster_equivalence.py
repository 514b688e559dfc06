"""The one-pass cluster rule and the indexed signal matching against the plain reference
(tests/cluster_reference.py) on random inputs: the same clusters and the same signals raised
and grown, for every kind of area. Seeded: a failure names its seed."""

from __future__ import annotations

import math
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.drug_warnings import clusters
from app.drug_warnings.clusters import EARTH_RADIUS_KM, AreaKind, ClusterRule, District, Event
from app.drug_warnings.signals import growth as signals
from app.drug_warnings.signals.models import Signal, SignalStatus
from tests import cluster_reference as reference

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
HOME = "3107"
OTHER = "0301"
CENTRE = (59.2181, 10.9298)
KM_PER_DEGREE_LATITUDE = 111.19508
KM_PER_DEGREE_LONGITUDE = KM_PER_DEGREE_LATITUDE * 0.5110  # cos(59.2181 degrees)
PLACES_KM = [(0.0, 0.0), (0.5, 0.0), (1.0, 0.0), (0.0, 1.0), (1.5, 0.7), (2.5, -1.0), (-3, 3)]
"""(north, east) of CENTRE: a handful of places, so alerts share one and sit a radius apart."""
DISTRICTS = (
    District("Sentrum", ((59.21, 10.92), (59.21, 10.94), (59.23, 10.94), (59.23, 10.92))),
    District("Nord", ((59.225, 10.90), (59.225, 10.96), (59.26, 10.96), (59.26, 10.90))),
    District("Øst", ((59.19, 10.95), (59.19, 10.99), (59.24, 10.99), (59.24, 10.95))),
)
"""Sentrum and Nord overlap (the first listed holds the overlap); Øst borders neither."""
SEEDS = range(300)


def place(rng: random.Random) -> tuple[float, float] | None:
    """Mostly one of PLACES_KM, now and then anywhere within a few km, sometimes none."""
    roll = rng.random()
    if roll < 0.2:
        return None
    north, east = rng.choice(PLACES_KM)
    if roll > 0.85:
        north, east = rng.uniform(-3, 3), rng.uniform(-3, 3)
    return (
        CENTRE[0] + north / KM_PER_DEGREE_LATITUDE,
        CENTRE[1] + east / KM_PER_DEGREE_LONGITUDE,
    )


def events(rng: random.Random, *, burst: bool = False) -> list[Event]:
    """Up to 40 events over 36 hours, on the half hour (so ties and events exactly a window
    apart are common); a burst: up to 120 at a few instants."""
    count = rng.randint(60, 120) if burst else rng.randint(0, 40)
    instants = [rng.randrange(0, 8) for _ in range(3)] if burst else list(range(73))
    found = []
    for _ in range(count):
        latitude, longitude = place(rng) or (None, None)
        found.append(
            Event(
                alert_id=uuid.UUID(int=rng.getrandbits(128)),
                municipality_code=HOME if rng.random() < 0.85 else OTHER,
                at=T0 + timedelta(minutes=30 * rng.choice(instants)),
                latitude=latitude,
                longitude=longitude,
            )
        )
    return found


def rule(rng: random.Random, area: AreaKind) -> ClusterRule:
    return ClusterRule(
        min_count=rng.randint(2, 5),
        window=timedelta(hours=rng.choice([1, 2, 3, 6])),
        area=area,
        radius_km=rng.choice([0.5, 1.0, 1.5, 3.0]) if area is AreaKind.RADIUS else None,
    )


@pytest.mark.parametrize("burst", [False, True], ids=["spread", "burst"])
@pytest.mark.parametrize("area", list(AreaKind))
def test_detect_finds_what_the_reference_finds(area: AreaKind, burst: bool) -> None:
    found_any = 0
    for seed in SEEDS if not burst else SEEDS[:30]:
        rng = random.Random(seed)
        some, a_rule = events(rng, burst=burst), rule(rng, area)
        districts = DISTRICTS if rng.random() < 0.9 else ()
        fast = clusters.detect(some, a_rule, municipality_code=HOME, districts=districts)
        plain = reference.detect(some, a_rule, municipality_code=HOME, districts=districts)
        assert fast == plain, f"seed {seed}"
        found_any += bool(fast)
    assert found_any >= 10, "the inputs raise clusters often enough to compare"


def signal(rng: random.Random, rules: list[ClusterRule], alert_ids: list[uuid.UUID]) -> Signal:
    """A signal already raised, of one of `rules`, holding a few of `alert_ids`."""
    a_rule = rng.choice(rules)
    held = sorted({str(rng.choice(alert_ids)) for _ in range(rng.randint(1, 4))})
    first = T0 + timedelta(hours=rng.randint(-6, 30))
    return Signal(
        id=uuid.UUID(int=rng.getrandbits(128)),
        municipality_code=HOME,
        rule_key=a_rule.key,
        area=a_rule.area.value,
        min_count=a_rule.min_count,
        window_hours=a_rule.window.total_seconds() / 3600,
        radius_km=a_rule.radius_km,
        district=rng.choice([None, "Sentrum", "Nord"]),
        alert_ids=held,
        event_count=len(held),
        first_at=first,
        last_at=first + timedelta(hours=rng.randint(0, 6)),
        status=rng.choice(list(SignalStatus)),
        raised_at=T0,
        updated_at=T0,
    )


def state_of(s: Signal) -> tuple[Any, ...]:
    return tuple(getattr(s, name) for name in sorted(Signal.model_fields) if name != "id")


def test_signals_are_raised_and_grown_as_the_reference_does() -> None:
    """The same clusters against the same recent signals (random, sharing alerts with them,
    of the same and other rules and districts): the same signals changed, in order, each
    grown or raised as the reference does, and the same signals left behind."""
    now = T0 + timedelta(days=1)
    grown = raised = 0
    for seed in SEEDS:
        rng = random.Random(seed)
        some = events(rng)
        rules = [rule(rng, area) for area in AreaKind]
        found = [
            c
            for r in rules
            for c in clusters.detect(some, r, municipality_code=HOME, districts=DISTRICTS)
        ]
        if not found:
            continue
        ids = [e.alert_id for e in some]
        count = rng.randint(0, 6)
        mine = [signal(random.Random(seed * 7919 + i), rules, ids) for i in range(count)]
        theirs = [signal(random.Random(seed * 7919 + i), rules, ids) for i in range(count)]
        fast = signals.signals_for(found, mine, now=now)
        plain = reference.signals_for(found, theirs, now=now)
        assert _changes(fast, mine) == _changes(plain, theirs), f"seed {seed}"
        assert [state_of(s) for s in mine] == [state_of(s) for s in theirs[:count]]
        grown += sum(not new for _, new in fast)
        raised += sum(new for _, new in fast)
    assert grown >= 10 and raised >= 10, "both kinds of change are compared"


def _changes(changed: list[tuple[Signal, bool]], existing: list[Signal]) -> list[tuple[Any, ...]]:
    """Each change as its state, whether new, and which existing signal (by place) it was."""

    def where(s: Signal) -> int | None:
        return next((i for i, e in enumerate(existing) if e is s), None)

    return [(state_of(s), new, None if new else where(s)) for s, new in changed]


def test_places_a_radius_apart_are_measured_wherever_they_lie() -> None:
    """Two places one radius apart north to south (and a hair more or less), at latitudes
    all over the globe: each finds the other exactly when the haversine distance says so,
    whichever bands of latitude they fall in (`clusters._neighbourhoods` only measures the
    neighbouring bands)."""
    rng = random.Random(2026)
    for _ in range(5000):
        radius = rng.choice([0.5, 1.0, 1.5, 3.0])
        apart = math.degrees(radius / EARTH_RADIUS_KM) * rng.choice([1, 1 - 1e-12, 1 + 1e-12])
        south = rng.uniform(-80, 80)
        placed = [
            Event(uuid.UUID(int=i), HOME, T0, latitude, 10.0)
            for i, latitude in enumerate((south, south + apart))
        ]
        near = clusters.haversine_km((south, 10.0), (south + apart, 10.0)) <= radius
        expected = [(0, 1), (0, 1)] if near else [(0,), (1,)]
        assert list(clusters._neighbourhoods(placed, radius)) == expected, (south, radius)
