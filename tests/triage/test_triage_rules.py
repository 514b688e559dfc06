"""Triage rules (docs/rules.md): every cell of the default table, custom tables, and working hours
in Oslo time with Norwegian public holidays and summer time. Expectations are written out
here, never computed by the code under test."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.consent.enums import ConsentState
from app.overdose.enums import AlertKind, DestinationType, Outcome, SeveritySign
from app.triage.rules import (
    DEFAULT_TABLE,
    MAX_RULES,
    DaySpec,
    FatalTiming,
    MovableDay,
    TriageAction,
    TriageFacts,
    TriageRule,
    TriageTable,
    WorkingHours,
    YearlyDate,
    day_text,
    easter_sunday,
    fatal_time,
    in_working_hours,
    names_day,
    next_working_start,
    parse_day,
    public_holidays,
    triage,
)

OSLO = ZoneInfo("Europe/Oslo")
PAGE_NOW = TriageAction.PAGE_NOW
WORKING_HOURS = TriageAction.WORKING_HOURS
NO_PAGE = TriageAction.NO_PAGE
FATAL = TriageAction.FATAL


def oslo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An Oslo wall-clock time as a UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=OSLO).astimezone(UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- the default table, cell by cell ----------------------------------------------------------

# Each dimension's expectation on its own; precedence: consent, then kind/outcome, then place.
PAGES_SOMEONE: dict[ConsentState, bool] = {
    ConsentState.CONSENTED: True,
    ConsentState.NOT_ASKED: True,
    ConsentState.UNABLE: True,
    ConsentState.OBJECTED: False,  # anonymous: nobody can act on it
}
FATAL_BY_KIND: dict[AlertKind, bool] = {AlertKind.NON_FATAL: False, AlertKind.FATAL: True}
FATAL_BY_OUTCOME: dict[Outcome | None, bool] = {
    Outcome.LEFT_AT_SCENE: False,
    Outcome.OBSERVED_ON_SCENE: False,
    Outcome.TRANSPORTED: False,
    Outcome.DECLINED_TRANSPORT: False,
    Outcome.DECEASED: True,
    None: False,
}
BY_DESTINATION: dict[DestinationType | None, TriageAction] = {
    DestinationType.HOSPITAL: WORKING_HOURS,  # admitted: the ward has the person
    DestinationType.LEGEVAKT_ADMITTED: WORKING_HOURS,  # observation / ØHD beds
    DestinationType.LEGEVAKT_SENT_HOME: PAGE_NOW,  # the high-risk night
    DestinationType.LEGEVAKT: PAGE_NOW,  # deprecated, says neither: the safe side
    DestinationType.LOW_THRESHOLD: PAGE_NOW,
    DestinationType.HOME_ALONE: PAGE_NOW,
    DestinationType.WITH_OTHERS: PAGE_NOW,
    DestinationType.WITH_HOUSING_STAFF: PAGE_NOW,
    None: PAGE_NOW,  # not known: the safe side
}


def test_the_expectations_name_every_value() -> None:
    assert set(PAGES_SOMEONE) == set(ConsentState)
    assert set(FATAL_BY_KIND) == set(AlertKind)
    assert set(FATAL_BY_OUTCOME) == {*Outcome, None}
    assert set(BY_DESTINATION) == {*DestinationType, None}


def _expected(
    consent: ConsentState,
    kind: AlertKind,
    outcome: Outcome | None,
    destination: DestinationType | None,
) -> TriageAction:
    if not PAGES_SOMEONE[consent]:
        return NO_PAGE
    if FATAL_BY_KIND[kind] or FATAL_BY_OUTCOME[outcome]:
        return FATAL
    return BY_DESTINATION[destination]


WEDNESDAY_10 = oslo(2026, 11, 25, 10)
SATURDAY_02 = oslo(2026, 11, 28, 2)
SATURDAY_08 = oslo(2026, 11, 28, 8)
MONDAY_08 = oslo(2026, 11, 30, 8)
CELLS = list(itertools.product(ConsentState, AlertKind, [*Outcome, None], [*DestinationType, None]))


@pytest.mark.parametrize(("consent", "kind", "outcome", "destination"), CELLS, ids=lambda v: str(v))
def test_default_table_every_cell(
    consent: ConsentState,
    kind: AlertKind,
    outcome: Outcome | None,
    destination: DestinationType | None,
) -> None:
    facts = TriageFacts(kind=kind, consent=consent, outcome=outcome, destination=destination)
    action = _expected(consent, kind, outcome, destination)
    by_day = triage(facts, DEFAULT_TABLE, now=WEDNESDAY_10)
    by_night = triage(facts, DEFAULT_TABLE, now=SATURDAY_02)
    assert by_day.action is action and by_night.action is action
    expected_page_at = {
        PAGE_NOW: (WEDNESDAY_10, SATURDAY_02),
        WORKING_HOURS: (WEDNESDAY_10, MONDAY_08),
        FATAL: (WEDNESDAY_10, SATURDAY_08),  # the leader: in the morning, any day
        NO_PAGE: (None, None),
    }[action]
    assert (by_day.page_at, by_night.page_at) == expected_page_at
    assert by_day.first_contact_ward is (action is WORKING_HOURS)
    assert by_day.rule == (1 if action is WORKING_HOURS else None)
    reasons = {NO_PAGE: "objected", FATAL: "fatal", WORKING_HOURS: "rule 1", PAGE_NOW: "default"}
    assert by_day.reason == reasons[action]


def test_the_default_table_covers_every_cell() -> None:
    assert len(CELLS) == 4 * 2 * 6 * 9


def test_severity_does_not_change_the_default() -> None:
    every_sign = frozenset(SeveritySign)
    for destination, action in BY_DESTINATION.items():
        facts = TriageFacts(
            AlertKind.NON_FATAL, ConsentState.CONSENTED, None, destination, every_sign
        )
        assert triage(facts, DEFAULT_TABLE, now=WEDNESDAY_10).action is action


# --- custom tables ----------------------------------------------------------------------------


def facts(
    *,
    outcome: Outcome | None = None,
    destination: DestinationType | None = None,
    severity: frozenset[SeveritySign] = frozenset(),
) -> TriageFacts:
    return TriageFacts(AlertKind.NON_FATAL, ConsentState.CONSENTED, outcome, destination, severity)


SEVERE_FIRST = TriageTable(
    rules=(
        TriageRule(
            PAGE_NOW, severity_any=frozenset({SeveritySign.CARDIAC_ARREST, SeveritySign.CPR_GIVEN})
        ),
        TriageRule(
            WORKING_HOURS,
            destinations=frozenset({DestinationType.HOSPITAL}),
            first_contact_ward=True,
        ),
    )
)


@pytest.mark.parametrize(
    ("severity", "action", "rule"),
    [
        (frozenset({SeveritySign.CPR_GIVEN}), PAGE_NOW, 1),
        (frozenset({SeveritySign.CARDIAC_ARREST, SeveritySign.UNCONSCIOUS}), PAGE_NOW, 1),
        (frozenset({SeveritySign.UNCONSCIOUS}), WORKING_HOURS, 2),
        (frozenset({SeveritySign.BREATHING_STOPPED}), WORKING_HOURS, 2),
        (frozenset(), WORKING_HOURS, 2),
    ],
)
def test_severity_any_matches_one_sign(
    severity: frozenset[SeveritySign], action: TriageAction, rule: int
) -> None:
    result = triage(
        facts(destination=DestinationType.HOSPITAL, severity=severity),
        SEVERE_FIRST,
        now=SATURDAY_02,
    )
    assert (result.action, result.rule, result.reason) == (action, rule, f"rule {rule}")
    assert result.page_at == (SATURDAY_02 if action is PAGE_NOW else MONDAY_08)
    assert result.first_contact_ward is (rule == 2)


def test_first_match_wins_and_conditions_are_anded() -> None:
    table = TriageTable(
        rules=(
            TriageRule(
                WORKING_HOURS,
                outcomes=frozenset({Outcome.TRANSPORTED}),
                destinations=frozenset({DestinationType.HOSPITAL}),
                first_contact_ward=True,
            ),
            TriageRule(PAGE_NOW, destinations=frozenset({DestinationType.HOSPITAL})),
            TriageRule(WORKING_HOURS, outcomes=frozenset({Outcome.OBSERVED_ON_SCENE})),
        )
    )
    cases = [
        (Outcome.TRANSPORTED, DestinationType.HOSPITAL, WORKING_HOURS, 1),
        (Outcome.DECLINED_TRANSPORT, DestinationType.HOSPITAL, PAGE_NOW, 2),
        (None, DestinationType.HOSPITAL, PAGE_NOW, 2),
        (Outcome.TRANSPORTED, DestinationType.HOME_ALONE, PAGE_NOW, None),  # AND: no match
        (Outcome.TRANSPORTED, None, PAGE_NOW, None),
        (Outcome.OBSERVED_ON_SCENE, DestinationType.WITH_OTHERS, WORKING_HOURS, 3),
        (None, None, PAGE_NOW, None),
    ]
    for outcome, destination, action, rule in cases:
        result = triage(facts(outcome=outcome, destination=destination), table, now=WEDNESDAY_10)
        assert (result.action, result.rule) == (action, rule), (outcome, destination)
        assert result.reason == ("default" if rule is None else f"rule {rule}")


def test_fixed_rules_come_before_any_table() -> None:
    catch_all = TriageTable(rules=(TriageRule(WORKING_HOURS),))
    objected = TriageFacts(AlertKind.NON_FATAL, ConsentState.OBJECTED, None, None)
    fatal = TriageFacts(AlertKind.FATAL, ConsentState.UNABLE, None, None)
    deceased = TriageFacts(AlertKind.NON_FATAL, ConsentState.UNABLE, Outcome.DECEASED, None)
    assert triage(objected, catch_all, now=SATURDAY_02).action is NO_PAGE
    assert triage(fatal, catch_all, now=SATURDAY_02).action is FATAL
    assert triage(deceased, catch_all, now=SATURDAY_02).action is FATAL
    other = triage(facts(), catch_all, now=SATURDAY_02)
    assert (other.action, other.page_at, other.rule) == (WORKING_HOURS, MONDAY_08, 1)


def test_an_empty_table_pages_everything_now() -> None:
    result = triage(facts(destination=DestinationType.HOSPITAL), TriageTable(), now=SATURDAY_02)
    assert (result.action, result.page_at, result.reason) == (PAGE_NOW, SATURDAY_02, "default")


@pytest.mark.parametrize("condition", ["outcomes", "destinations", "severity_any"])
def test_an_empty_condition_is_refused(condition: str) -> None:
    with pytest.raises(ValueError, match=f"{condition}: an empty set matches nothing"):
        TriageRule(PAGE_NOW, **{condition: frozenset()})  # type: ignore[arg-type]


@pytest.mark.parametrize("action", [NO_PAGE, FATAL])
def test_fixed_actions_are_refused_in_a_table(action: TriageAction) -> None:
    with pytest.raises(ValueError, match="decided by fixed rules before the table"):
        TriageRule(action)


def test_too_many_rules_are_refused() -> None:
    rule = TriageRule(PAGE_NOW, outcomes=frozenset({Outcome.TRANSPORTED}))
    assert len(TriageTable(rules=(rule,) * MAX_RULES).rules) == MAX_RULES
    with pytest.raises(ValueError, match="at most"):
        TriageTable(rules=(rule,) * (MAX_RULES + 1))


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (time(15, 30), time(8), frozenset({0})),
        (time(8), time(8), frozenset({0})),
        (time(8), time(16), frozenset()),
        (time(8), time(16), frozenset({7})),
        (time(8), time(16), frozenset({-1})),
        (time(8, tzinfo=UTC), time(16), frozenset({0})),
    ],
)
def test_bad_working_hours_are_refused(start: time, end: time, days: frozenset[int]) -> None:
    with pytest.raises(ValueError):
        WorkingHours(start, end, days)


def test_a_naive_instant_is_refused() -> None:
    naive = datetime(2026, 11, 25, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        triage(facts(), DEFAULT_TABLE, now=naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        in_working_hours(naive, WorkingHours())


# --- working hours: weekends, holidays, summer time -------------------------------------------

STANDARD = WorkingHours()


@pytest.mark.parametrize(
    ("at", "expected", "why"),
    [
        (oslo(2026, 11, 28, 2), oslo(2026, 11, 30, 8), "Saturday night: Monday"),
        (oslo(2026, 11, 29, 12), oslo(2026, 11, 30, 8), "Sunday noon: Monday"),
        (oslo(2026, 11, 27, 16), oslo(2026, 11, 30, 8), "Friday evening: Monday"),
        (oslo(2026, 11, 27, 15, 30), oslo(2026, 11, 30, 8), "Friday at the end: Monday"),
        (oslo(2026, 11, 25, 6), oslo(2026, 11, 25, 8), "Wednesday early: the same day"),
        (oslo(2026, 11, 25, 8), oslo(2026, 11, 26, 8), "exactly at a start: the next one"),
        (oslo(2026, 11, 25, 23, 59), oslo(2026, 11, 26, 8), "Wednesday night: Thursday"),
        # Easter 2027: Maundy Thursday 25 March to Easter Monday 29 March.
        (oslo(2027, 3, 24, 16), oslo(2027, 3, 30, 8), "before Easter: Tuesday after"),
        (oslo(2027, 3, 26, 10), oslo(2027, 3, 30, 8), "Good Friday"),
        (oslo(2027, 3, 29, 7), oslo(2027, 3, 30, 8), "Easter Monday"),
        # Ascension Day, Thursday 6 May 2027.
        (oslo(2027, 5, 5, 16), oslo(2027, 5, 7, 8), "Ascension Day: Friday"),
        # 17 May 2028 is a Wednesday.
        (oslo(2028, 5, 16, 16), oslo(2028, 5, 18, 8), "Constitution Day: Thursday"),
        # 1 May 2026 is a Friday.
        (oslo(2026, 4, 30, 16), oslo(2026, 5, 4, 8), "1 May: Monday"),
        # Whit Monday, 25 May 2026: a holiday on Monday pushes to Tuesday.
        (oslo(2026, 5, 22, 16), oslo(2026, 5, 26, 8), "Whit Monday: Tuesday"),
        # 17 May 2027 is a Monday (and Whit Monday).
        (oslo(2027, 5, 15, 2), oslo(2027, 5, 18, 8), "17 May on a Monday: Tuesday"),
        # Christmas 2025: Thursday 25 and Friday 26 December.
        (oslo(2025, 12, 24, 16), oslo(2025, 12, 29, 8), "Christmas: Monday"),
        # 1 January 2027 is a Friday.
        (oslo(2026, 12, 31, 16), oslo(2027, 1, 4, 8), "New Year's Day: Monday"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_next_working_start(at: datetime, expected: datetime, why: str) -> None:
    assert next_working_start(at, STANDARD) == expected
    assert next_working_start(at, STANDARD).tzinfo is UTC


@pytest.mark.parametrize(
    ("at", "inside"),
    [
        (oslo(2026, 11, 25, 8), True),  # exactly at the start
        (oslo(2026, 11, 25, 8) - timedelta(microseconds=1), False),
        (oslo(2026, 11, 25, 15, 30) - timedelta(microseconds=1), True),
        (oslo(2026, 11, 25, 15, 30), False),  # exactly at the end
        (oslo(2026, 11, 28, 10), False),  # Saturday
        (oslo(2026, 11, 29, 10), False),  # Sunday
        (oslo(2027, 3, 25, 10), False),  # Maundy Thursday
        (oslo(2027, 5, 6, 10), False),  # Ascension Day
        (oslo(2028, 5, 17, 10), False),  # 17 May
        (oslo(2025, 12, 24, 10), True),  # Christmas Eve is no public holiday
        (oslo(2025, 12, 25, 10), False),
        (oslo(2025, 12, 26, 10), False),
        (oslo(2025, 12, 31, 10), True),  # nor is New Year's Eve
        (oslo(2027, 1, 1, 10), False),
    ],
)
def test_in_working_hours(at: datetime, inside: bool) -> None:
    assert in_working_hours(at, STANDARD) is inside


def test_public_holidays_of_2027() -> None:
    assert public_holidays(2027) == {
        date(2027, 1, 1),
        date(2027, 3, 25),
        date(2027, 3, 26),
        date(2027, 3, 28),
        date(2027, 3, 29),
        date(2027, 5, 1),
        date(2027, 5, 6),
        date(2027, 5, 16),
        date(2027, 5, 17),
        date(2027, 12, 25),
        date(2027, 12, 26),
    }


# Summer time 2026 begins Sunday 29 March (02:00 -> 03:00) and ends Sunday 25 October.
@pytest.mark.parametrize(
    ("at", "expected_utc"),
    [
        (oslo(2026, 3, 26, 16), utc(2026, 3, 27, 7)),  # Friday 08:00 CET
        (oslo(2026, 3, 28, 2), utc(2026, 3, 30, 6)),  # Monday 08:00 CEST
        (utc(2026, 3, 29, 0, 59), utc(2026, 3, 30, 6)),  # just before the change
        (utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 6)),  # just after it
        (oslo(2026, 10, 22, 16), utc(2026, 10, 23, 6)),  # Friday 08:00 CEST
        (oslo(2026, 10, 24, 2), utc(2026, 10, 26, 7)),  # Monday 08:00 CET
        (utc(2026, 10, 25, 0, 59), utc(2026, 10, 26, 7)),  # the first 02:59 in Oslo
        (utc(2026, 10, 25, 1, 0), utc(2026, 10, 26, 7)),  # the second 02:00 in Oslo
    ],
)
def test_the_start_follows_summer_time(at: datetime, expected_utc: datetime) -> None:
    assert next_working_start(at, STANDARD) == expected_utc


def test_working_hours_follow_summer_time() -> None:
    assert in_working_hours(utc(2026, 6, 3, 6), STANDARD)  # 08:00 CEST
    assert not in_working_hours(utc(2026, 6, 3, 5, 59), STANDARD)
    assert in_working_hours(utc(2026, 12, 2, 7), STANDARD)  # 08:00 CET
    assert not in_working_hours(utc(2026, 12, 2, 6, 59), STANDARD)
    assert not in_working_hours(utc(2026, 6, 3, 13, 30), STANDARD)  # 15:30 CEST


def test_a_start_in_the_skipped_hour_is_read_before_the_change() -> None:
    night = WorkingHours(start=time(2, 30), end=time(6), days=frozenset({6}))
    assert next_working_start(oslo(2026, 3, 28, 12), night) == utc(2026, 3, 29, 1, 30)


def test_custom_days_and_hours() -> None:
    weekend = WorkingHours(start=time(10), end=time(18), days=frozenset({5, 6}))
    assert next_working_start(oslo(2026, 11, 27, 20), weekend) == oslo(2026, 11, 28, 10)
    assert in_working_hours(oslo(2026, 11, 29, 17, 59), weekend)  # an ordinary Sunday works
    assert not in_working_hours(oslo(2026, 11, 25, 12), weekend)
    # Easter Saturday 27 March 2027 in the evening: Easter Sunday is skipped.
    assert next_working_start(oslo(2027, 3, 27, 19), weekend) == oslo(2027, 4, 3, 10)
    early = WorkingHours(start=time(7), end=time(20), days=frozenset({0, 2}))
    assert next_working_start(oslo(2026, 11, 23, 20), early) == oslo(2026, 11, 25, 7)
    assert in_working_hours(oslo(2026, 11, 25, 19, 59), early)


def test_triage_uses_the_tables_working_hours() -> None:
    hospital = facts(destination=DestinationType.HOSPITAL)
    evening = TriageTable(
        rules=DEFAULT_TABLE.rules,
        working_hours=WorkingHours(start=time(12), end=time(22), days=frozenset(range(7))),
    )
    thursday_21 = oslo(2026, 11, 26, 21)
    assert triage(hospital, evening, now=thursday_21).page_at == thursday_21
    assert triage(hospital, DEFAULT_TABLE, now=thursday_21).page_at == oslo(2026, 11, 27, 8)
    fatal = TriageFacts(AlertKind.FATAL, ConsentState.UNABLE, Outcome.DECEASED, None)
    # A fatal alert keeps to its own morning, not to the working hours.
    assert triage(fatal, evening, now=oslo(2026, 11, 28, 2)).page_at == oslo(2026, 11, 28, 8)


def test_page_at_is_utc_whatever_now_is_given_in() -> None:
    now = datetime(2026, 11, 25, 3, tzinfo=OSLO)
    result = triage(facts(), DEFAULT_TABLE, now=now)
    assert result.page_at is not None and result.page_at.tzinfo is UTC
    assert result.page_at == now


# --- fatal alerts: the leader by day at once, at night in the morning, every day of the year --

FATAL_FACTS = TriageFacts(AlertKind.FATAL, ConsentState.UNABLE, Outcome.DECEASED, None)
DECEASED = TriageFacts(AlertKind.NON_FATAL, ConsentState.NOT_ASKED, Outcome.DECEASED, None)
AT_NIGHT_TOO = FatalTiming(at_night=True)
EARLY = FatalTiming(morning=time(7), evening=time(21))


@pytest.mark.parametrize(
    ("now", "timing", "expected", "why"),
    [
        # Maundy Thursday 2027 (25 March): Good Friday morning, not Tuesday after Easter.
        (oslo(2027, 3, 25, 22), FatalTiming(), oslo(2027, 3, 26, 8), "Maundy Thursday 22:00"),
        (oslo(2027, 3, 25, 21, 59), FatalTiming(), oslo(2027, 3, 25, 21, 59), "21:59: at once"),
        (oslo(2027, 3, 26, 3), FatalTiming(), oslo(2027, 3, 26, 8), "Good Friday 03:00"),
        (oslo(2027, 3, 28, 14), FatalTiming(), oslo(2027, 3, 28, 14), "Easter Sunday by day"),
        # Christmas Eve 2027 (a Friday): by day at once, late in the evening on Christmas Day.
        (oslo(2027, 12, 24, 19), FatalTiming(), oslo(2027, 12, 24, 19), "Christmas Eve 19:00"),
        (oslo(2027, 12, 24, 23, 30), FatalTiming(), oslo(2027, 12, 25, 8), "Christmas Eve 23:30"),
        # 17 May 2027 (a Monday, Whit Monday too).
        (oslo(2027, 5, 17, 3), FatalTiming(), oslo(2027, 5, 17, 8), "17 May 03:00"),
        (oslo(2027, 5, 17, 14), FatalTiming(), oslo(2027, 5, 17, 14), "17 May 14:00"),
        (oslo(2027, 5, 16, 23), FatalTiming(), oslo(2027, 5, 17, 8), "the eve of 17 May"),
        # A Saturday night: Sunday morning, not Monday.
        (oslo(2026, 11, 28, 23, 30), FatalTiming(), oslo(2026, 11, 29, 8), "Saturday 23:30"),
        (oslo(2026, 11, 28, 2), FatalTiming(), oslo(2026, 11, 28, 8), "Saturday 02:00"),
        (oslo(2026, 11, 28, 8), FatalTiming(), oslo(2026, 11, 28, 8), "exactly at morning"),
        (oslo(2026, 11, 28, 22), FatalTiming(), oslo(2026, 11, 29, 8), "exactly at evening"),
        # The municipality says "tell at night too".
        (oslo(2027, 3, 25, 22), AT_NIGHT_TOO, oslo(2027, 3, 25, 22), "at night too: Thursday"),
        (oslo(2027, 12, 24, 23, 30), AT_NIGHT_TOO, oslo(2027, 12, 24, 23, 30), "at night too"),
        (oslo(2026, 11, 28, 2), AT_NIGHT_TOO, oslo(2026, 11, 28, 2), "at night too: 02:00"),
        # Its own morning and evening.
        (oslo(2026, 11, 28, 21), EARLY, oslo(2026, 11, 29, 7), "own evening 21:00"),
        (oslo(2026, 11, 28, 6, 59), EARLY, oslo(2026, 11, 28, 7), "own morning 07:00"),
        # Summer time begins on Sunday 28 March 2027: 08:00 is 06:00 UTC.
        (oslo(2027, 3, 27, 23), FatalTiming(), utc(2027, 3, 28, 6), "the night of the change"),
        (utc(2027, 10, 31, 1, 30), FatalTiming(), utc(2027, 10, 31, 7), "winter time: 07:00 UTC"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_fatal_alert_reaches_the_leader_by_the_next_morning(
    now: datetime, timing: FatalTiming, expected: datetime, why: str
) -> None:
    table = TriageTable(rules=DEFAULT_TABLE.rules, fatal=timing)
    for facts_ in (FATAL_FACTS, DECEASED):
        result = triage(facts_, table, now=now)
        assert (result.action, result.page_at, result.reason) == (FATAL, expected, "fatal")
        assert result.page_at is not None and result.page_at.tzinfo is UTC
    assert fatal_time(now, timing) == expected


def test_a_fatal_alert_never_waits_past_the_next_morning() -> None:
    """Every hour of 2027: told within ten hours (22:00 to 08:00; eleven on the night summer
    time ends), whatever the day."""
    at = oslo(2027, 1, 1)
    while at < oslo(2028, 1, 1):
        told = fatal_time(at, FatalTiming())
        assert at <= told <= at + timedelta(hours=11), at
        assert told == at or told.astimezone(OSLO).time() == time(8), at
        at += timedelta(hours=1)


@pytest.mark.parametrize(
    ("morning", "evening"),
    [(time(8), time(8)), (time(22), time(8)), (time(8, tzinfo=UTC), time(22))],
)
def test_a_bad_fatal_timing_is_refused(morning: time, evening: time) -> None:
    with pytest.raises(ValueError):
        FatalTiming(morning=morning, evening=evening)


# --- short days and closed days ---------------------------------------------------------------

CLOSED_XMAS = WorkingHours(closed_days=tuple(date(2027, 12, day) for day in range(27, 32)))
CLOSED_YEARLY = WorkingHours(closed_days=tuple(YearlyDate(12, day) for day in range(27, 32)))
NO_SHORT_DAYS = WorkingHours(short_days=())
SHORT_AT_14 = WorkingHours(short_day_end=time(14))


@pytest.mark.parametrize(
    ("at", "hours", "inside", "why"),
    [
        # Easter 2027: the Wednesday before Maundy Thursday (24 March) ends at 12:00.
        (oslo(2027, 3, 23, 14), STANDARD, True, "Tuesday before Easter: a whole day"),
        (oslo(2027, 3, 24, 8), STANDARD, True, "Holy Wednesday 08:00"),
        (oslo(2027, 3, 24, 11, 59), STANDARD, True, "Holy Wednesday 11:59"),
        (oslo(2027, 3, 24, 12), STANDARD, False, "Holy Wednesday 12:00: ended"),
        (oslo(2027, 3, 24, 14), STANDARD, False, "Holy Wednesday 14:00"),
        (oslo(2027, 3, 24, 14), NO_SHORT_DAYS, True, "without short days: a whole day"),
        (oslo(2027, 3, 24, 13, 59), SHORT_AT_14, True, "own short end 14:00"),
        (oslo(2027, 3, 25, 10), STANDARD, False, "Maundy Thursday"),
        (oslo(2027, 3, 30, 14), STANDARD, True, "Tuesday after Easter: a whole day"),
        # Christmas 2027: 24 and 31 December are Fridays.
        (oslo(2027, 12, 23, 15), STANDARD, True, "23 December: a whole day"),
        (oslo(2027, 12, 24, 11), STANDARD, True, "Christmas Eve 11:00"),
        (oslo(2027, 12, 24, 12), STANDARD, False, "Christmas Eve 12:00: ended"),
        (oslo(2027, 12, 27, 10), STANDARD, True, "27 December: open by default"),
        (oslo(2027, 12, 27, 10), CLOSED_XMAS, False, "27 December: closed"),
        (oslo(2027, 12, 27, 10), CLOSED_YEARLY, False, "27 December: closed every year"),
        (oslo(2028, 12, 27, 10), CLOSED_XMAS, True, "27 December 2028: dates close one year"),
        (oslo(2028, 12, 27, 10), CLOSED_YEARLY, False, "27 December 2028: closed every year"),
        (oslo(2027, 12, 31, 11, 59), STANDARD, True, "New Year's Eve 11:59"),
        (oslo(2027, 12, 31, 12), STANDARD, False, "New Year's Eve 12:00"),
        (oslo(2027, 12, 31, 11), CLOSED_XMAS, False, "New Year's Eve, closed"),
        # A short day on a weekend is simply closed: 24 December 2022 was a Saturday.
        (oslo(2022, 12, 24, 10), STANDARD, False, "Christmas Eve on a Saturday"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_in_working_hours_on_short_and_closed_days(
    at: datetime, hours: WorkingHours, inside: bool, why: str
) -> None:
    assert in_working_hours(at, hours) is inside


@pytest.mark.parametrize(
    ("at", "hours", "expected", "why"),
    [
        (oslo(2027, 3, 24, 11), STANDARD, oslo(2027, 3, 30, 8), "within: the next start"),
        (oslo(2027, 3, 24, 12), STANDARD, oslo(2027, 3, 30, 8), "Holy Wednesday 12:00: Tuesday"),
        (oslo(2027, 3, 24, 14), NO_SHORT_DAYS, oslo(2027, 3, 30, 8), "without short days too"),
        (oslo(2027, 3, 23, 16), STANDARD, oslo(2027, 3, 24, 8), "the evening before: 08:00"),
        (oslo(2027, 12, 24, 12, 30), STANDARD, oslo(2027, 12, 27, 8), "Christmas Eve: Monday"),
        (oslo(2027, 12, 24, 12, 30), CLOSED_XMAS, oslo(2028, 1, 3, 8), "closed: after New Year"),
        (oslo(2027, 12, 24, 12, 30), CLOSED_YEARLY, oslo(2028, 1, 3, 8), "closed each year"),
        (oslo(2027, 12, 31, 12), STANDARD, oslo(2028, 1, 3, 8), "New Year's Eve noon: Monday"),
        (oslo(2027, 12, 30, 16), STANDARD, oslo(2027, 12, 31, 8), "a short day still starts"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_next_working_start_after_short_and_closed_days(
    at: datetime, hours: WorkingHours, expected: datetime, why: str
) -> None:
    assert next_working_start(at, hours) == expected


@pytest.mark.parametrize(
    ("now", "hours", "expected", "why"),
    [
        (oslo(2027, 3, 24, 11), STANDARD, oslo(2027, 3, 24, 11), "before 12:00: at once"),
        (oslo(2027, 3, 24, 13), STANDARD, oslo(2027, 3, 30, 8), "after 12:00: after Easter"),
        (oslo(2027, 12, 24, 13), STANDARD, oslo(2027, 12, 27, 8), "Christmas Eve afternoon"),
        (oslo(2027, 12, 24, 13), CLOSED_XMAS, oslo(2028, 1, 3, 8), "closed until New Year"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_hospital_alert_waits_out_short_and_closed_days(
    now: datetime, hours: WorkingHours, expected: datetime, why: str
) -> None:
    table = TriageTable(rules=DEFAULT_TABLE.rules, working_hours=hours)
    result = triage(facts(destination=DestinationType.HOSPITAL), table, now=now)
    assert (result.action, result.page_at) == (WORKING_HOURS, expected)


def test_a_short_day_ends_at_the_usual_end_if_sooner() -> None:
    late = WorkingHours(start=time(10), end=time(11))
    assert late.hours_on(date(2027, 12, 24)) == (time(10), time(11))
    evening = WorkingHours(start=time(12), end=time(22))
    assert evening.hours_on(date(2027, 12, 24)) is None  # would end by its start: closed
    assert evening.hours_on(date(2027, 12, 23)) == (time(12), time(22))


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2028, date(2028, 4, 16)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ],
)
def test_easter_sunday(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter
    assert names_day(MovableDay.WEDNESDAY_BEFORE_MAUNDY_THURSDAY, easter - timedelta(days=4))
    assert not names_day(MovableDay.WEDNESDAY_BEFORE_MAUNDY_THURSDAY, easter - timedelta(days=3))


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("12-24", YearlyDate(12, 24)),
        ("02-29", YearlyDate(2, 29)),
        ("2027-12-27", date(2027, 12, 27)),
        ("wednesday_before_maundy_thursday", MovableDay.WEDNESDAY_BEFORE_MAUNDY_THURSDAY),
    ],
)
def test_days_are_read_and_written_back(text: str, day: DaySpec) -> None:
    assert parse_day(text) == day
    assert day_text(day) == text


@pytest.mark.parametrize(
    "text", ["", "24-12", "12-32", "04-31", "2027-02-29", "20271227", "12/24", "maundy", "1-1"]
)
def test_a_bad_day_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a day"):
        parse_day(text)


@pytest.mark.parametrize(
    "changes",
    [
        {"short_days": (YearlyDate(12, 24), YearlyDate(12, 24))},
        {"closed_days": (date(2027, 12, 27),) * 2},
        {"closed_days": tuple(date(2027, 1, 1) + timedelta(days=n) for n in range(101))},
        {"short_day_end": time(12, tzinfo=UTC)},
    ],
)
def test_bad_short_and_closed_days_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        WorkingHours(**changes)  # type: ignore[arg-type]


def test_29_february_is_only_named_in_leap_years() -> None:
    hours = WorkingHours(closed_days=(YearlyDate(2, 29),))
    assert not in_working_hours(oslo(2028, 2, 29, 10), hours)
    assert in_working_hours(oslo(2027, 3, 1, 10), hours)


# --- suicide risk (docs/rules.md, "Suicide risk") ----------------------------------------------

LEADER_NOW = TriageAction.LEADER_NOW
ADMITTED = {DestinationType.HOSPITAL, DestinationType.LEGEVAKT_ADMITTED}


def _expected_with_suicide_risk(
    consent: ConsentState,
    kind: AlertKind,
    outcome: Outcome | None,
    destination: DestinationType | None,
) -> tuple[TriageAction, str]:
    fatal = FATAL_BY_KIND[kind] or FATAL_BY_OUTCOME[outcome]
    if not PAGES_SOMEONE[consent]:
        # The leader is told at once, without identity; a death stays with the fixed rule.
        return (NO_PAGE, "objected") if fatal else (LEADER_NOW, "objected_suicide_risk")
    if fatal:
        return FATAL, "fatal"
    return PAGE_NOW, "suicide_risk"  # whatever the destination


@pytest.mark.parametrize(("consent", "kind", "outcome", "destination"), CELLS, ids=lambda v: str(v))
def test_suicide_risk_pages_at_once_whatever_the_destination(
    consent: ConsentState,
    kind: AlertKind,
    outcome: Outcome | None,
    destination: DestinationType | None,
) -> None:
    facts = TriageFacts(kind, consent, outcome, destination, suicide_risk=True)
    action, reason = _expected_with_suicide_risk(consent, kind, outcome, destination)
    by_day = triage(facts, DEFAULT_TABLE, now=WEDNESDAY_10)
    by_night = triage(facts, DEFAULT_TABLE, now=SATURDAY_02)
    assert (by_day.action, by_night.action) == (action, action)
    assert (by_day.reason, by_night.reason) == (reason, reason)
    expected_page_at = {
        PAGE_NOW: (WEDNESDAY_10, SATURDAY_02),
        LEADER_NOW: (WEDNESDAY_10, SATURDAY_02),
        FATAL: (WEDNESDAY_10, SATURDAY_08),
        NO_PAGE: (None, None),
    }[action]
    assert (by_day.page_at, by_night.page_at) == expected_page_at
    # Paged now, the ward is still the first contact where the table's rule says so.
    ward = action is PAGE_NOW and destination in ADMITTED
    assert by_night.first_contact_ward is ward
    assert by_night.rule is None


def test_suicide_risk_comes_before_any_table_rule() -> None:
    table = TriageTable(
        rules=(TriageRule(WORKING_HOURS),)  # everything in working hours
    )
    facts = TriageFacts(AlertKind.NON_FATAL, ConsentState.NOT_ASKED, None, None)
    assert triage(facts, table, now=SATURDAY_02).action is WORKING_HOURS
    risky = TriageFacts(AlertKind.NON_FATAL, ConsentState.NOT_ASKED, None, None, suicide_risk=True)
    decided = triage(risky, table, now=SATURDAY_02)
    assert (decided.action, decided.page_at, decided.reason) == (
        PAGE_NOW,
        SATURDAY_02,
        "suicide_risk",
    )


def test_leader_now_is_refused_in_a_table() -> None:
    with pytest.raises(ValueError, match="fixed rules"):
        TriageRule(LEADER_NOW)
