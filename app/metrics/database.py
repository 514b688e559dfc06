"""The metrics read from the database at scrape time (see the package's docstring for why).

Cheap aggregate queries over plain columns only (counts, times, statuses: what the alert
table calls safe to count), one transaction per scrape; the roster holes reuse the roster's
own computation (`roster.rota.duty.holes_report`). The histograms are computed in SQL from
every stored alert, so a scrape reads one row per triage action, not one per alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.alerts.models import Alert
from app.auth.staff.service import SUBJECT_KIND as STAFF_SIGNIN
from app.db import is_postgresql
from app.drug_warnings.warnings.repository import WARNING_SUBJECT
from app.escalation.engine.messages import SUBJECT_KIND as ALERT_SUBJECT
from app.followup.cases.models import SUBJECT_KIND as CASE_SUBJECT
from app.followup.cases.models import FollowupStep
from app.notify.models import OutboxMessage, OutboxStatus
from app.overdose.enums import AlertKind
from app.roster.rota.duty import holes_report
from app.triage.rules import TriageAction
from app.webhooks.models import DeliveryStatus, WebhookDelivery

OTHER = "other"
"""The label of a stored value its enum does not know (never the value itself)."""
NONE = "none"
"""The triage action of an alert not triaged."""
ROSTER_WINDOW = timedelta(days=7)

LATENCY_BUCKETS: tuple[float, ...] = (
    10,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    4 * 3600,
    12 * 3600,
    86400,
    3 * 86400,
)
"""Seconds: a page goes out within seconds, a deferred one (working hours) within hours."""

SUBJECTS = frozenset({ALERT_SUBJECT, CASE_SUBJECT, STAFF_SIGNIN, WARNING_SUBJECT})
"""What an SMS is about (`OutboxMessage.subject_kind`)."""
UNSENT = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)


KINDS = frozenset(kind.value for kind in AlertKind)
ACTIONS = frozenset(action.value for action in TriageAction)


def _label(value: str | None, known: frozenset[str]) -> str:
    if value is None:
        return NONE
    return value if value in known else OTHER


def _action(value: str | None) -> str:
    return _label(value, ACTIONS)


def _seconds_between(session: AsyncSession, start: Any, end: Any) -> ColumnElement[Any]:
    if is_postgresql(session):
        return func.extract("epoch", end - start)
    # julianday() is a day count in a double: about 10 µs of noise, rounded away to the ms.
    return func.round((func.julianday(end) - func.julianday(start)) * 86400.0, 3)


async def alerts_received(session: AsyncSession) -> Metric:
    family = CounterMetricFamily(
        "odvarsel_alerts_received",
        "Alerts stored, by kind and current triage action (a supplement may triage again).",
        labels=["kind", "triage_action"],
    )
    rows = await session.execute(
        select(col(Alert.kind), col(Alert.triage_action), func.count()).group_by(
            col(Alert.kind), col(Alert.triage_action)
        )
    )
    counts: dict[tuple[str, str], int] = {}
    for kind, action, count in rows:
        key = (_label(kind, KINDS), _action(action))
        counts[key] = counts.get(key, 0) + count
    for labels, count in sorted(counts.items()):
        family.add_metric(list(labels), count)
    return family


async def latency(session: AsyncSession, *, name: str, doc: str, until: Any) -> Metric:
    """A histogram of the seconds from an alert's receipt to `until` (a column), by triage
    action, over the alerts where it is set."""
    seconds = _seconds_between(session, col(Alert.received_at), until)
    within = [func.sum(case((seconds <= bound, 1), else_=0)) for bound in LATENCY_BUCKETS]
    rows = await session.execute(
        select(col(Alert.triage_action), func.count(), func.sum(seconds), *within)
        .where(until.is_not(None))
        .group_by(col(Alert.triage_action))
    )
    merged: dict[str, list[float]] = {}
    for action, *numbers in rows:
        totals = merged.setdefault(_action(action), [0.0] * (len(LATENCY_BUCKETS) + 2))
        for index, number in enumerate(numbers):
            totals[index] += float(number or 0)
    family = HistogramMetricFamily(name, doc, labels=["triage_action"])
    for action, (count, total, *cumulative) in sorted(merged.items()):
        bounds = (str(float(bound)) for bound in LATENCY_BUCKETS)  # "10.0", as `le` is written
        buckets = list(zip(bounds, cumulative, strict=True))
        family.add_metric([action], [*buckets, ("+Inf", count)], sum_value=total)
    return family


async def outbox(session: AsyncSession, *, now: datetime) -> list[Metric]:
    """The SMS due and not yet sent, the age of the oldest, and those given up."""
    due = await session.execute(
        select(func.count(), func.min(col(OutboxMessage.due_at))).where(
            col(OutboxMessage.status).in_(UNSENT), col(OutboxMessage.due_at) <= now
        )
    )
    backlog, oldest = due.one()
    age = (now - oldest).total_seconds() if oldest is not None else 0.0
    failed = await session.execute(
        select(col(OutboxMessage.subject_kind), func.count())
        .where(col(OutboxMessage.status) == OutboxStatus.FAILED.value)
        .group_by(col(OutboxMessage.subject_kind))
    )
    failures = CounterMetricFamily(
        "odvarsel_sms_delivery_failures",
        "SMS given up (a permanent send error, too many attempts, or undelivered), by subject.",
        labels=["subject"],
    )
    by_subject: dict[str, int] = {}
    for subject, count in failed:
        label = _label(subject, SUBJECTS)
        by_subject[label] = by_subject.get(label, 0) + count
    for subject, count in sorted(by_subject.items()):
        failures.add_metric([subject], count)
    webhooks = await session.scalar(
        select(func.count()).where(col(WebhookDelivery.status) == DeliveryStatus.FAILED.value)
    )
    return [
        GaugeMetricFamily("odvarsel_outbox_backlog", "SMS due and not yet sent.", value=backlog),
        GaugeMetricFamily(
            "odvarsel_outbox_oldest_unsent_seconds",
            "How long the oldest SMS due and not yet sent has waited (0: none waits).",
            value=max(age, 0.0),
        ),
        failures,
        CounterMetricFamily(
            "odvarsel_webhook_delivery_failures",
            "Webhooks to dispatch systems given up after their attempts.",
            value=webhooks or 0,
        ),
    ]


async def overdue_steps(session: AsyncSession, *, now: datetime) -> Metric:
    count = await session.scalar(
        select(func.count()).where(
            col(FollowupStep.active).is_(True), col(FollowupStep.deadline) <= now
        )
    )
    return GaugeMetricFamily(
        "odvarsel_followup_overdue_steps",
        "Active follow-up steps whose deadline has passed.",
        value=count or 0,
    )


async def roster_holes(session: AsyncSession, *, now: datetime) -> list[Metric]:
    report = await holes_report(session, start=now, end=now + ROSTER_WINDOW)
    holes = [hole for team in report for hole in team.holes]
    seconds = sum((end - start).total_seconds() for start, end in holes)
    return [
        GaugeMetricFamily(
            "odvarsel_roster_holes",
            "Intervals in the next 7 days when a team receiving alerts has nobody on duty "
            "(a municipality whose alerts reach no team counts as one).",
            value=len(holes),
        ),
        GaugeMetricFamily(
            "odvarsel_roster_hole_seconds",
            "Seconds in the next 7 days without anyone on duty, summed over the teams.",
            value=seconds,
        ),
    ]


async def database_metrics(session: AsyncSession, *, now: datetime) -> Sequence[Metric]:
    """Every metric read from the database, at `now`."""
    return [
        await alerts_received(session),
        await latency(
            session,
            name="odvarsel_alert_first_sms_seconds",
            doc="Seconds from an alert's receipt to its first SMS out, by triage action.",
            until=col(Alert.notified_at),
        ),
        await latency(
            session,
            name="odvarsel_alert_acknowledged_seconds",
            doc="Seconds from an alert's receipt to its acknowledgement, by triage action.",
            until=col(Alert.acknowledged_at),
        ),
        *await outbox(session, now=now),
        await overdue_steps(session, now=now),
        *await roster_holes(session, now=now),
    ]
