"""How many occurrences a repetition rule (RRULE) may make up to a moment: an upper bound (pure).

The import expands every rule from its own start. A rule that makes hundreds of thousands of
occurrences before the window (hourly since 1970; every minute of every day) held the
process for seconds, so its bound is checked first and such a rule is refused. The bound
follows RFC 5545's table of which BY parts expand a frequency (the others only limit it) and
counts each as if every value it lists made a new occurrence: it may overestimate, never
underestimate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

MAX_OCCURRENCES = 50_000
"""About a third of a second of expansion; a daily rota started in 1990 makes 13,500."""

_PERIOD = {
    "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(weeks=1),
    "MONTHLY": timedelta(days=28),
    "YEARLY": timedelta(days=365),
}
"""The shortest span of each frequency, so that the number of periods is not underestimated."""

_TIME_OF_DAY = ("BYHOUR", "BYMINUTE", "BYSECOND")
_EXPANDS: Mapping[str, Mapping[str, int]] = {
    "HOURLY": {"BYMINUTE": 1, "BYSECOND": 1},
    "DAILY": dict.fromkeys(_TIME_OF_DAY, 1),
    "WEEKLY": {"BYDAY": 1, **dict.fromkeys(_TIME_OF_DAY, 1)},
    "MONTHLY": {"BYMONTHDAY": 1, "BYDAY": 5, **dict.fromkeys(_TIME_OF_DAY, 1)},
    "YEARLY": {
        "BYMONTH": 1,
        "BYWEEKNO": 1,
        "BYYEARDAY": 1,
        "BYMONTHDAY": 12,
        "BYDAY": 53,
        **dict.fromkeys(_TIME_OF_DAY, 1),
    },
}
"""The BY parts that expand each frequency, and how many occurrences each listed value can
make within one period at most (a weekday is in a month up to 5 times, in a year 53)."""


def occurrence_bound(
    rule: Mapping[str, Sequence[object]], start: datetime, until: datetime
) -> float:
    """At most how many occurrences `rule`, starting at `start`, makes up to `until`.

    `rule` is an RRULE's parts as lists (icalendar's vRecur); a frequency this table does not
    know (SECONDLY, MINUTELY, a misspelling) is infinite.
    """
    frequency = str(next(iter(rule.get("FREQ", [])), "")).upper()
    if frequency not in _PERIOD:
        return math.inf
    interval = next(iter(rule.get("INTERVAL", [])), 1)
    step = _PERIOD[frequency] * (interval if isinstance(interval, int) and interval > 0 else 1)
    periods = max(0, (until - start) // step) + 1
    per_period = math.prod(
        len(rule.get(part, [])) * most
        for part, most in _EXPANDS[frequency].items()
        if rule.get(part)
    )
    bound = float(periods * per_period)
    count = next(iter(rule.get("COUNT", [])), None)
    if isinstance(count, int) and count >= 0:
        bound = min(bound, count)
    return bound
