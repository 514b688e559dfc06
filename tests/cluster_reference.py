"""The cluster rule and the signal matching as they were first written: plain and slow (the
groups are copied out one by one and merged by union-find, every place is measured against
every other, every signal is scanned for every cluster). The reference the fast
`app.drug_warnings.clusters.detect` and `signals.growth.signals_for` are compared with
(tests/drug_warnings/test_cluster_equivalence.py), and the old algorithm in bench/cluster_check.py.
A new signal's row is built by the app's `new_signal`: how a row is filled is not what
the two are compared on."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from app.drug_warnings.clusters import (
    AreaKind,
    Cluster,
    ClusterRule,
    District,
    Event,
    district_of,
    haversine_km,
)
from app.drug_warnings.signals.growth import new_signal, rounded_centre
from app.drug_warnings.signals.models import Signal, SignalStatus


def detect(
    events: Iterable[Event],
    rule: ClusterRule,
    *,
    municipality_code: str,
    districts: Sequence[District] = (),
) -> list[Cluster]:
    own = sorted(
        (e for e in events if e.municipality_code == municipality_code),
        key=lambda e: (e.at, e.alert_id),
    )
    if rule.area is AreaKind.MUNICIPALITY:
        return _clusters(_time_groups(own, rule), rule, municipality_code)
    if rule.area is AreaKind.DISTRICT:
        by_district: dict[str, list[Event]] = {}
        for e in own:
            district = district_of(e.position, districts)
            if district is not None:
                by_district.setdefault(district.name, []).append(e)
        found = [
            cluster
            for name, members in by_district.items()
            for cluster in _clusters(_time_groups(members, rule), rule, municipality_code, name)
        ]
        return sorted(found, key=lambda c: (c.first_at, min(c.alert_ids)))
    assert rule.radius_km is not None
    placed = [(e, e.position) for e in own if e.position is not None]
    groups = []
    for _, centre in placed:
        assert centre is not None
        near = [
            e for e, at in placed if at is not None and haversine_km(centre, at) <= rule.radius_km
        ]
        groups += _time_groups(near, rule)
    return _clusters(groups, rule, municipality_code)


def _clusters(
    groups: list[list[Event]],
    rule: ClusterRule,
    municipality_code: str,
    district: str | None = None,
) -> list[Cluster]:
    return [_cluster(members, rule, municipality_code, district) for members in _merged(groups)]


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


def _cluster(
    members: list[Event], rule: ClusterRule, municipality_code: str, district: str | None
) -> Cluster:
    centre = None
    if rule.area is not AreaKind.MUNICIPALITY:
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


def signals_for(
    clusters: Iterable[Cluster], existing: list[Signal], *, now: datetime
) -> list[tuple[Signal, bool]]:
    """As `check_clusters` first matched clusters to signals: a scan of them all for each."""
    changed = []
    for cluster in clusters:
        signal = _signal_for(cluster, existing, now=now)
        if signal is None:
            continue
        new = not any(signal is s for s in existing)
        if new:
            existing.append(signal)
        changed.append((signal, new))
    return changed


def _signal_for(cluster: Cluster, existing: list[Signal], *, now: datetime) -> Signal | None:
    ids = {str(alert_id) for alert_id in cluster.alert_ids}
    key = cluster.rule.key
    for signal in existing:
        if signal.rule_key != key or signal.district != cluster.district:
            continue
        if not ids & set(signal.alert_ids):
            continue
        joined = ids - set(signal.alert_ids)
        if not joined:
            return None
        signal.alert_ids = sorted({*signal.alert_ids, *joined})
        signal.event_count = len(signal.alert_ids)
        signal.first_at = min(signal.first_at, cluster.first_at)
        signal.last_at = max(signal.last_at, cluster.last_at)
        signal.centre_latitude, signal.centre_longitude = rounded_centre(cluster.centre)
        signal.updated_at = now
        if signal.status == SignalStatus.DISMISSED:
            signal.status = SignalStatus.OPEN
        return signal
    return new_signal(cluster, ids, now=now)
