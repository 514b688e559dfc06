"""Triage rules (BRIEF §9): every cell of the default table, custom tables, and working hours
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
    TriageAction,
    TriageFacts,
    TriageRule,
    TriageTable,
    WorkingHours,
    in_working_hours,
    next_working_start,
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
    DestinationType.LEGEVAKT: WORKING_HOURS,  # observation / ØHD beds
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
        FATAL: (WEDNESDAY_10, MONDAY_08),  # the leader, never at night
        NO_PAGE: (None, None),
    }[action]
    assert (by_day.page_at, by_night.page_at) == expected_page_at
    assert by_day.first_contact_ward is (action is WORKING_HOURS)
    assert by_day.rule == (1 if action is WORKING_HOURS else None)
    reasons = {NO_PAGE: "objected", FATAL: "fatal", WORKING_HOURS: "rule 1", PAGE_NOW: "default"}
    assert by_day.reason == reasons[action]


def test_the_default_table_covers_every_cell() -> None:
    assert len(CELLS) == 4 * 2 * 6 * 7


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
    assert triage(fatal, evening, now=oslo(2026, 11, 28, 2)).page_at == oslo(2026, 11, 28, 12)


def test_page_at_is_utc_whatever_now_is_given_in() -> None:
    now = datetime(2026, 11, 25, 3, tzinfo=OSLO)
    result = triage(facts(), DEFAULT_TABLE, now=now)
    assert result.page_at is not None and result.page_at.tzinfo is UTC
    assert result.page_at == now
