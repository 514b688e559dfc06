"""Which signal a cluster grows, or raises (no database: the engine runs it in a thread).

A cluster grows the first of the municipality's recent signals, oldest first, of its rule and
district that shares an alert with it: it takes in the new alerts, its times and centre
follow, and a dismissed signal opens again. A cluster that shares no alert raises a new
signal, which a later cluster of the same check may grow. Finding that signal is one look-up
per alert id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from app.drug_warnings.clusters import Cluster
from app.drug_warnings.signals.models import Signal, SignalStatus

CENTRE_DECIMALS = 2


def signals_for(
    clusters: Iterable[Cluster], existing: Iterable[Signal], *, now: datetime
) -> list[tuple[Signal, bool]]:
    """Cluster by cluster, the signal it grew or the new one it raised (then True); a cluster
    that changed nothing has none. Grows the signals of `existing` (the municipality's recent
    ones, oldest first) in place: a cluster grows the first signal of its rule and district that
    shares an alert with it, or else raises a new one, which a later cluster may grow."""
    signals = _Signals(existing)
    return [found for cluster in clusters if (found := signals.signal_for(cluster, now=now))]


class _Signals:
    """The municipality's recent signals, oldest first, and for each (rule, district, alert
    id) the first of them that holds the alert: the signal a cluster grows is the first of
    its rule and district that shares an alert with it."""

    def __init__(self, signals: Iterable[Signal]) -> None:
        self._signals: list[Signal] = []
        self._first: dict[tuple[str, str | None], dict[str, int]] = {}
        """By rule key and district: by alert id, the first signal that holds it."""
        for signal in signals:
            self._add(signal)

    def _add(self, signal: Signal) -> None:
        self._signals.append(signal)
        self._hold(len(self._signals) - 1, signal.alert_ids)

    def _hold(self, position: int, alert_ids: Iterable[str]) -> None:
        """Signal `position` holds `alert_ids`; a signal before it that holds one comes first."""
        signal = self._signals[position]
        first = self._first.setdefault((signal.rule_key, signal.district), {})
        for alert_id in alert_ids:
            first[alert_id] = min(position, first.get(alert_id, position))

    def signal_for(self, cluster: Cluster, *, now: datetime) -> tuple[Signal, bool] | None:
        """The signal the cluster grew, or a new one (then True); None when nothing changed."""
        ids = {str(alert_id) for alert_id in cluster.alert_ids}
        first = self._first.get((cluster.rule.key, cluster.district), {})
        shared = [p for i in ids if (p := first.get(i)) is not None]
        if not shared:
            self._add(new_signal(cluster, ids, now=now))
            return self._signals[-1], True
        position = min(shared)
        signal = self._signals[position]
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
        self._hold(position, joined)
        return signal, False


def new_signal(cluster: Cluster, ids: set[str], *, now: datetime) -> Signal:
    latitude, longitude = rounded_centre(cluster.centre)
    return Signal(
        municipality_code=cluster.municipality_code,
        rule_key=cluster.rule.key,
        area=cluster.rule.area.value,
        min_count=cluster.rule.min_count,
        window_hours=cluster.rule.window.total_seconds() / 3600,
        radius_km=cluster.rule.radius_km,
        district=cluster.district,
        centre_latitude=latitude,
        centre_longitude=longitude,
        alert_ids=sorted(ids),
        event_count=len(ids),
        first_at=cluster.first_at,
        last_at=cluster.last_at,
        status=SignalStatus.OPEN,
        raised_at=now,
        updated_at=now,
    )


def rounded_centre(centre: tuple[float, float] | None) -> tuple[float | None, float | None]:
    if centre is None:
        return None, None
    return round(centre[0], CENTRE_DECIMALS), round(centre[1], CENTRE_DECIMALS)
