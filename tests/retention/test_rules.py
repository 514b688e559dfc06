"""The pure rules of retention (app.retention.rules), table by table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.retention import rules
from app.retention.rules import CaseTimes, Decision

T0 = datetime(2026, 1, 10, 9, 30, tzinfo=UTC)
DAY = timedelta(days=1)
CASE = timedelta(days=90)
ALERT = timedelta(days=60)


@pytest.mark.parametrize(
    ("case", "purged", "now", "expected"),
    [
        # No case: due `ALERT` after it was received, to the microsecond.
        (None, False, T0, Decision.KEEP),
        (None, False, T0 + ALERT - timedelta(microseconds=1), Decision.KEEP),
        (None, False, T0 + ALERT, Decision.PURGE),
        (None, False, T0 + 5 * ALERT, Decision.PURGE),
        (None, True, T0 + 5 * ALERT, Decision.KEEP),
        # A closed case: due `CASE` after closing, whenever the alert came.
        (CaseTimes(T0, T0 + 10 * DAY), False, T0 + 10 * DAY + CASE - DAY, Decision.KEEP),
        (CaseTimes(T0, T0 + 10 * DAY), False, T0 + 10 * DAY + CASE, Decision.PURGE),
        (CaseTimes(T0, T0 + 10 * DAY), True, T0 + 10 * DAY + CASE, Decision.KEEP),
        (CaseTimes(T0, T0 + 10 * DAY, flagged=True), False, T0 + 10 * DAY + CASE, Decision.PURGE),
        # The alert period does not apply to an alert with a case.
        (CaseTimes(T0, T0 + 10 * DAY), False, T0 + ALERT, Decision.KEEP),
        # An open case: flagged at `CASE` after it opened, once, never purged.
        (CaseTimes(T0 + DAY, None), False, T0 + DAY + CASE - DAY, Decision.KEEP),
        (CaseTimes(T0 + DAY, None), False, T0 + DAY + CASE, Decision.FLAG),
        (CaseTimes(T0 + DAY, None), False, T0 + 10 * CASE, Decision.FLAG),
        (CaseTimes(T0 + DAY, None, flagged=True), False, T0 + 10 * CASE, Decision.KEEP),
        (CaseTimes(T0 + DAY, None), True, T0 + 10 * CASE, Decision.KEEP),
    ],
)
def test_alert_decision(
    case: CaseTimes | None, purged: bool, now: datetime, expected: Decision
) -> None:
    decision = rules.alert_decision(
        received_at=T0,
        case=case,
        purged=purged,
        case_period=CASE,
        alert_period=ALERT,
        now=now,
    )
    assert decision is expected


@pytest.mark.parametrize(
    ("start", "period", "now", "due"),
    [
        (T0, CASE, T0 + CASE, True),
        (T0, CASE, T0 + CASE - timedelta(microseconds=1), False),
        (T0, timedelta(0), T0, True),
        (T0, DAY, T0 - DAY, False),
    ],
)
def test_due_and_cutoff_agree(start: datetime, period: timedelta, now: datetime, due: bool) -> None:
    assert rules.is_due(start, period, now) is due
    assert (start <= rules.cutoff(now, period)) is due
    assert rules.due_at(start, period) == start + period


@pytest.mark.parametrize(
    ("own", "default", "expected"),
    [(None, 90, 90), (30, 90, 30), (365, 90, 365), (1, 1, 1)],
)
def test_the_municipalitys_period_wins(own: int | None, default: int, expected: int) -> None:
    assert rules.case_period(own, default) == timedelta(days=expected)


@pytest.mark.parametrize(
    ("last_run", "now", "due"),
    [
        (None, T0, True),
        (T0, T0, False),
        (T0, T0 + timedelta(minutes=4, seconds=59), False),
        (T0, T0 + timedelta(minutes=5), True),
        (T0, T0 - timedelta(seconds=1), True),
    ],
)
def test_the_engine_runs_at_most_every_interval(
    last_run: datetime | None, now: datetime, due: bool
) -> None:
    assert rules.engine_due(last_run, timedelta(minutes=5), now) is due
