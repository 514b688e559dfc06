"""Cluster signals: `check_clusters` runs the pure rule over a municipality's recent alerts.

* One cluster raises one **signal** for the leader. Alerts that join the cluster later grow
  that signal (and open it again if the leader had dismissed it); a signal never shrinks.
* Every alert counts in the municipality area, an objected (anonymous) one too; a radius or
  a district rule opens the alerts' sealed coordinates, where they were kept (a district
  rule places them in the municipality's districts, `settings.districts_for`).
* A signal belongs to its rule (`rule_key`) and, for a district rule, to its district: a
  cluster grows only a signal of the same rule and the same district, so two districts
  never share a signal.
* The worker's `engine.ClusterEngine` calls `check_clusters` for each municipality that
  received or supplemented an alert since its last check. Calling it again changes nothing.

A signal names alerts by id only, and its times are shown to the hour, as anonymous alerts.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import sealing
from app.alerts.models import Alert
from app.alerts.service import to_the_hour
from app.consent.enums import DataCategory
from app.drug_warnings import repository
from app.drug_warnings.clusters import AreaKind, Cluster, District, Event, detect
from app.drug_warnings.common import label_of
from app.drug_warnings.models import Signal, SignalStatus
from app.drug_warnings.schemas import Centre, DismissalIn, RuleOut, SignalOut
from app.drug_warnings.settings import districts_for, rules_for
from app.errors import Conflict, NotFound
from app.privacy.crypto import FieldCipher

LATE_ALERTS = timedelta(hours=24)
"""How late an alert may arrive and still complete a cluster: `check_clusters` looks back
the longest window plus this."""
CENTRE_DECIMALS = 2


async def check_clusters(
    session: AsyncSession, *, municipality_code: str, now: datetime, cipher: FieldCipher
) -> list[Signal]:
    """Detect the municipality's clusters; the signals this check raised or grew.

    Idempotent: a cluster that already has its signal, with no new alert, changes nothing and
    is not returned; a cluster that shares an alert with a signal of the same rule grows that
    signal. Call it in the caller's transaction, after an alert is stored (on PostgreSQL it
    holds a lock per municipality until commit, so concurrent checks raise one signal).
    """
    rules = await rules_for(session, municipality_code=municipality_code)
    if not rules:
        return []
    await repository.lock_clusters(session, municipality_code=municipality_code)
    longest = max(rule.window for rule in rules)
    since = now - longest - LATE_ALERTS
    alerts = await repository.alerts_since(
        session, municipality_code=municipality_code, since=since
    )
    with_place = any(rule.area is not AreaKind.MUNICIPALITY for rule in rules)
    events = [_event(alert, cipher if with_place else None) for alert in alerts]
    districts: tuple[District, ...] = ()
    if any(rule.area is AreaKind.DISTRICT for rule in rules):
        districts = await districts_for(session, municipality_code=municipality_code)
    existing = await repository.signals_since(
        session, municipality_code=municipality_code, since=since - longest
    )
    changed: list[Signal] = []
    for rule in rules:
        found = detect(events, rule, municipality_code=municipality_code, districts=districts)
        for cluster in found:
            signal = _signal_for(cluster, existing, now=now)
            if signal is None:
                continue
            if not any(signal is s for s in existing):
                existing.append(signal)
                repository.add(session, signal)
            changed.append(signal)
    return changed


def _event(alert: Alert, cipher: FieldCipher | None) -> Event:
    """The alert as the rule sees it; its coordinates only with a cipher (a radius or a
    district rule)."""
    latitude = longitude = None
    if cipher is not None and alert.place_sealed is not None:
        place = sealing.personal_values(cipher, alert, [DataCategory.PLACE])
        lat, lon = place.get("place.latitude"), place.get("place.longitude")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            latitude, longitude = float(lat), float(lon)
    return Event(
        alert_id=alert.id,
        municipality_code=alert.municipality_code,
        at=alert.occurred_at,
        latitude=latitude,
        longitude=longitude,
    )


def _signal_for(cluster: Cluster, existing: list[Signal], *, now: datetime) -> Signal | None:
    """A new signal for the cluster, the signal it grew, or None when nothing changed."""
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
        signal.centre_latitude, signal.centre_longitude = _rounded(cluster.centre)
        signal.updated_at = now
        if signal.status == SignalStatus.DISMISSED:
            signal.status = SignalStatus.OPEN.value
        return signal
    latitude, longitude = _rounded(cluster.centre)
    return Signal(
        municipality_code=cluster.municipality_code,
        rule_key=key,
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
        status=SignalStatus.OPEN.value,
        raised_at=now,
        updated_at=now,
    )


def _rounded(centre: tuple[float, float] | None) -> tuple[float | None, float | None]:
    if centre is None:
        return None, None
    return round(centre[0], CENTRE_DECIMALS), round(centre[1], CENTRE_DECIMALS)


async def list_signals(
    session: AsyncSession,
    *,
    municipalities: list[str],
    status: SignalStatus | None,
    offset: int,
    limit: int,
) -> list[SignalOut]:
    """The municipalities' signals, most recently grown first."""
    rows = await repository.list_signals(
        session,
        municipalities=municipalities,
        status=status.value if status else None,
        offset=offset,
        limit=limit,
    )
    return [signal_out(s) for s in rows]


async def dismiss_signal(
    session: AsyncSession,
    *,
    signal_id: uuid.UUID,
    dismissal: DismissalIn,
    municipalities: Collection[str],
    now: datetime,
) -> SignalOut:
    """The leader decided no warning is needed; an open signal only."""
    signal = await repository.get_signal(session, signal_id, for_update=True)
    if signal is None or signal.municipality_code not in municipalities:
        raise NotFound(f"No signal {signal_id} in this client's municipalities.")
    if signal.status != SignalStatus.OPEN:
        raise Conflict(f"The signal is {signal.status}; only an open signal is dismissed.")
    signal.status = SignalStatus.DISMISSED.value
    signal.dismissed_at = now
    signal.dismissed_by = label_of(dismissal.by)
    signal.dismiss_note = dismissal.note
    return signal_out(signal)


def signal_out(signal: Signal) -> SignalOut:
    centre = None
    if signal.centre_latitude is not None and signal.centre_longitude is not None:
        centre = Centre(latitude=signal.centre_latitude, longitude=signal.centre_longitude)
    return SignalOut(
        id=signal.id,
        municipality=signal.municipality_code,
        status=SignalStatus(signal.status),
        rule=RuleOut(
            area=AreaKind(signal.area),
            min_count=signal.min_count,
            window_hours=signal.window_hours,
            radius_km=signal.radius_km,
        ),
        centre=centre,
        district=signal.district,
        event_count=signal.event_count,
        alert_ids=[uuid.UUID(a) for a in signal.alert_ids],
        first_at=to_the_hour(signal.first_at),
        last_at=to_the_hour(signal.last_at),
        raised_at=signal.raised_at,
        updated_at=signal.updated_at,
        dismissed_at=signal.dismissed_at,
        dismissed_by=signal.dismissed_by,
        dismiss_note=signal.dismiss_note,
    )
