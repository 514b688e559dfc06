"""app/roster/rota/recurrence.py: the bound on a rule's occurrences, against the real expansion.

Each rule's bound is checked two ways: it is the figure this table gives, and it is never
below what `recurring_ical_events` really makes (a bound that underestimates would let a slow
rule through).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import icalendar
import pytest
import recurring_ical_events  # type: ignore[import-untyped]

from app.roster.rota.recurrence import MAX_OCCURRENCES, occurrence_bound

START = datetime(2026, 1, 1, 8, tzinfo=UTC)
UNTIL = datetime(2026, 3, 1, 8, tzinfo=UTC)  # 59 days later

TABLE = [
    # (rule, bound from START to UNTIL)
    ("FREQ=HOURLY", 59 * 24 + 1),
    ("FREQ=HOURLY;INTERVAL=2", 59 * 12 + 1),
    ("FREQ=HOURLY;BYMINUTE=0,30", (59 * 24 + 1) * 2),
    ("FREQ=HOURLY;BYDAY=MO", 59 * 24 + 1),  # BYDAY only limits an hourly rule
    ("FREQ=DAILY", 60),
    ("FREQ=DAILY;BYHOUR=8,20", 120),
    ("FREQ=DAILY;BYHOUR=8,20;BYMINUTE=0,15,30", 360),
    ("FREQ=DAILY;BYMONTH=1", 60),  # BYMONTH only limits a daily rule
    ("FREQ=WEEKLY", 9),
    ("FREQ=WEEKLY;BYDAY=MO,WE,FR", 27),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", 5),
    ("FREQ=MONTHLY", 3),
    ("FREQ=MONTHLY;BYMONTHDAY=1,15", 6),
    ("FREQ=MONTHLY;BYDAY=MO", 15),
    ("FREQ=YEARLY", 1),
    ("FREQ=YEARLY;BYMONTH=1,2;BYMONTHDAY=1", 24),
    ("FREQ=DAILY;COUNT=10", 10),
    ("FREQ=HOURLY;COUNT=100000", 59 * 24 + 1),
    ("FREQ=MINUTELY", math.inf),
    ("FREQ=SECONDLY", math.inf),
]


def _rule(text: str) -> icalendar.vRecur:
    rule: icalendar.vRecur = icalendar.vRecur.from_ical(text)
    return rule


@pytest.mark.parametrize(("rule", "bound"), TABLE, ids=[rule for rule, _ in TABLE])
def test_the_bound(rule: str, bound: float) -> None:
    assert occurrence_bound(_rule(rule), START, UNTIL) == bound


@pytest.mark.parametrize("rule", [r for r, b in TABLE if b != math.inf])
def test_the_bound_is_never_below_the_real_expansion(rule: str) -> None:
    calendar = icalendar.Calendar()
    event = icalendar.Event()
    event.add("UID", "u1")
    event.add("DTSTART", START)
    event.add("DTEND", START.replace(minute=5))
    event.add("RRULE", _rule(rule))
    calendar.add_component(event)

    made = len(recurring_ical_events.of(calendar).between(START, UNTIL.replace(second=1)))

    assert made <= occurrence_bound(_rule(rule), START, UNTIL)


def test_a_rule_before_its_start_makes_at_most_one() -> None:
    assert occurrence_bound(_rule("FREQ=DAILY"), UNTIL, START) == 1


def test_realistic_rotas_fit_and_runaway_rules_do_not() -> None:
    since_1990 = datetime(1990, 1, 1, tzinfo=UTC)
    next_year = datetime(2027, 12, 31, tzinfo=UTC)
    assert occurrence_bound(_rule("FREQ=DAILY"), since_1990, next_year) < MAX_OCCURRENCES
    assert occurrence_bound(_rule("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"), since_1990, next_year) < (
        MAX_OCCURRENCES
    )
    a_year_ago = datetime(2026, 1, 1, tzinfo=UTC)
    assert occurrence_bound(_rule("FREQ=HOURLY"), a_year_ago, next_year) < MAX_OCCURRENCES
    assert occurrence_bound(_rule("FREQ=HOURLY"), since_1990, next_year) > MAX_OCCURRENCES
    every_minute = "FREQ=DAILY;BYHOUR=8;BYMINUTE=" + ",".join(map(str, range(60)))
    assert occurrence_bound(_rule(every_minute), since_1990, next_year) > MAX_OCCURRENCES
