"""Cluster signals: `check_clusters` runs the pure rule over a municipality's recent alerts.

* One cluster raises one **signal** for the leader. Alerts that join the cluster later grow
  that signal (and open it again if the leader had dismissed it); a signal never shrinks.
* Every alert counts in the municipality area, an objected (anonymous) one too; a radius or
  a district rule opens the alerts' sealed coordinates, where they were kept (a district
  rule places them in the municipality's districts, `settings.service.districts_for`).
* A signal belongs to its rule (`rule_key`) and, for a district rule, to its district: a
  cluster grows only a signal of the same rule and the same district, so two districts
  never share a signal.
* The worker's `engine.ClusterEngine` checks each municipality that received or
  supplemented an alert since its last check. Checking again changes nothing.

A check is three steps, which `check_clusters` takes in one transaction and the engine in
three, so that no transaction and no turn of the event loop lasts as long as the computing:
`read_inputs` (the rules, districts and the alerts' times and sealed places, read in chunks),
`find_clusters` (opens the places and runs the rule: CPU only, no database, so the engine
runs it in a thread) and `record_clusters` (raises and grows the signals, under the
municipality's lock; `growth.signals_for` finds the signal each cluster grows).

A signal names alerts by id only, and its times are shown to the hour, as anonymous alerts.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import sealing
from app.alerts.anonymity import to_the_hour
from app.consent.enums import DataCategory
from app.drug_warnings.clusters import AreaKind, Cluster, ClusterRule, District, Event, detect
from app.drug_warnings.common import WarningScope, label_of
from app.drug_warnings.repository import Page
from app.drug_warnings.settings.service import districts_for, rules_for
from app.drug_warnings.signals import repository
from app.drug_warnings.signals.growth import signals_for
from app.drug_warnings.signals.models import Signal, SignalStatus
from app.drug_warnings.signals.schemas import Centre, DismissalIn, RuleOut, SignalOut
from app.errors import Conflict, NotFound
from app.privacy.crypto import FieldCipher

LATE_ALERTS = timedelta(hours=24)
"""How late an alert may arrive and still complete a cluster: `check_clusters` looks back
the longest window plus this."""


@dataclass(frozen=True, slots=True)
class ClusterInputs:
    """What one check reads: the municipality's rules and districts and its alerts since
    `since` (those that may still be in a cluster)."""

    municipality_code: str
    rules: tuple[ClusterRule, ...]
    districts: tuple[District, ...]
    alerts: list[repository.AlertTime]
    since: datetime

    @property
    def longest(self) -> timedelta:
        return max(rule.window for rule in self.rules)


async def check_clusters(
    session: AsyncSession, *, municipality_code: str, now: datetime, cipher: FieldCipher
) -> list[Signal]:
    """Detect the municipality's clusters; the signals this check raised or grew.

    Idempotent: a cluster that already has its signal, with no new alert, changes nothing and
    is not returned; a cluster that shares an alert with a signal of the same rule grows that
    signal. Call it in the caller's transaction, after an alert is stored (on PostgreSQL it
    holds a lock per municipality until commit, so concurrent checks raise one signal).
    """
    await repository.lock_clusters(session, municipality_code=municipality_code)
    inputs = await read_inputs(session, municipality_code=municipality_code, now=now)
    if inputs is None:
        return []
    return await record_clusters(session, inputs, find_clusters(inputs, cipher), now=now)


async def read_inputs(
    session: AsyncSession, *, municipality_code: str, now: datetime
) -> ClusterInputs | None:
    """What a check at `now` computes from; None when the municipality has no rules."""
    rules = await rules_for(session, municipality_code=municipality_code)
    if not rules:
        return None
    since = now - max(rule.window for rule in rules) - LATE_ALERTS
    with_place = any(rule.area is not AreaKind.MUNICIPALITY for rule in rules)
    alerts = await repository.alert_times_since(
        session, municipality_code=municipality_code, since=since, with_place=with_place
    )
    districts: tuple[District, ...] = ()
    if any(rule.area is AreaKind.DISTRICT for rule in rules):
        districts = await districts_for(session, municipality_code=municipality_code)
    return ClusterInputs(municipality_code, rules, districts, alerts, since)


def find_clusters(inputs: ClusterInputs, cipher: FieldCipher) -> list[Cluster]:
    """Every rule's clusters, rule by rule (no database: safe to run in a thread)."""
    events = [_event(alert, inputs.municipality_code, cipher) for alert in inputs.alerts]
    return [
        cluster
        for rule in inputs.rules
        for cluster in detect(
            events,
            rule,
            municipality_code=inputs.municipality_code,
            districts=inputs.districts,
        )
    ]


async def record_clusters(
    session: AsyncSession,
    inputs: ClusterInputs,
    clusters: list[Cluster],
    *,
    now: datetime,
    in_thread: bool = False,
) -> list[Signal]:
    """Raise or grow a signal for each of `clusters` (found from `inputs`); those changed.

    Takes the municipality's lock and reads its signals then, so a check that read its
    inputs while another check recorded the same cluster grows that one's signal. With
    `in_thread`, matching clusters to signals (a look-up per alert) runs in a thread: the
    session is not used meanwhile."""
    code = inputs.municipality_code
    await repository.lock_clusters(session, municipality_code=code)
    existing = await repository.signals_since(
        session, municipality_code=code, since=inputs.since - inputs.longest
    )
    if in_thread:
        changed = await asyncio.to_thread(signals_for, clusters, existing, now=now)
    else:
        changed = signals_for(clusters, existing, now=now)
    for signal, new in changed:
        if new:
            repository.add_signal(session, signal)
    return [signal for signal, _ in changed]


def _event(alert: repository.AlertTime, municipality_code: str, cipher: FieldCipher) -> Event:
    """The alert as the rule sees it; its coordinates where its place was read (a radius or
    a district rule) and kept."""
    latitude = longitude = None
    if alert.place_sealed is not None:
        context = sealing.context_of(alert.id, DataCategory.PLACE)
        place = json.loads(cipher.open(alert.place_sealed, context=context))
        lat, lon = place.get("place.latitude"), place.get("place.longitude")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            latitude, longitude = float(lat), float(lon)
    return Event(
        alert_id=alert.id,
        municipality_code=municipality_code,
        at=alert.occurred_at,
        latitude=latitude,
        longitude=longitude,
    )


async def list_signals(
    session: AsyncSession, page: Page, *, status: SignalStatus | None
) -> list[SignalOut]:
    """The page's signals, most recently grown first."""
    rows = await repository.list_signals(session, page, status=status.value if status else None)
    return [signal_out(s) for s in rows]


async def dismiss_signal(
    scope: WarningScope, *, signal_id: uuid.UUID, dismissal: DismissalIn
) -> SignalOut:
    """The leader decided no warning is needed; an open signal only."""
    signal = await repository.get_signal(scope.session, signal_id, for_update=True)
    if signal is None or signal.municipality_code not in scope.municipalities:
        raise NotFound(f"No signal {signal_id} in this client's municipalities.")
    if signal.status != SignalStatus.OPEN:
        raise Conflict(f"The signal is {signal.status}; only an open signal is dismissed.")
    signal.status = SignalStatus.DISMISSED
    signal.dismissed_at = scope.now
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
