"""Deadlines, reminders and overdue notices (pure), the follow-up SMS texts, and how a
template becomes the steps of a case."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.followup import deadlines, texts
from app.followup.deadlines import Timer, due_notices, next_due_at
from app.followup.state import StepState
from app.followup.template_schema import Condition, TemplateKind
from app.followup.templates import plan
from app.followup.templates.defaults import default_template
from app.i18n import LANGUAGES
from app.notify.gsm7 import SINGLE_SEGMENT, is_gsm7, septet_length

T0 = datetime(2026, 11, 23, 11, 40, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("offset_hours", "opened_after", "min_lead", "expected"),
    [
        (24, 0.5 * H, H, T0 + 24 * H),  # counted from the overdose
        (1, 0.5 * H, H, T0 + 1.5 * H),  # would fall within the lead: the lead
        (2, 0.5 * H, H, T0 + 2 * H),  # just outside it
    ],
)
def test_planned_deadline(
    offset_hours: float, opened_after: timedelta, min_lead: timedelta, expected: datetime
) -> None:
    """Told at the overdose (paged at once): the offset, not sooner than the lead."""
    deadline = deadlines.planned_deadline(
        T0,
        offset_hours=offset_hours,
        told_at=T0,
        opened_at=T0 + opened_after,
        min_lead=min_lead,
    )
    assert deadline == deadlines.StepDeadline(expected, due_at_once=False)


def wall(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An Oslo wall-clock time as a UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Oslo")).astimezone(UTC)


MAUNDY_THURSDAY_22 = wall(2027, 3, 25, 22)
GOOD_FRIDAY_08 = wall(2027, 3, 26, 8)
XMAS_EVE_19, XMAS_EVE_2330, XMAS_DAY_08 = (
    wall(2027, 12, 24, 19),
    wall(2027, 12, 24, 23, 30),
    wall(2027, 12, 25, 8),
)
MAY_17_03, MAY_17_08 = wall(2027, 5, 17, 3), wall(2027, 5, 17, 8)
SATURDAY_23, SUNDAY_08 = wall(2026, 11, 28, 23), wall(2026, 11, 29, 8)


@pytest.mark.parametrize(
    ("alert_at", "told_at", "opened_at", "offset", "lead", "expected", "at_once", "why"),
    [
        # Fatal alerts of the night are told in the morning: an "at once" step is due then.
        (
            MAUNDY_THURSDAY_22,
            GOOD_FRIDAY_08,
            GOOD_FRIDAY_08,
            0,
            0 * H,
            GOOD_FRIDAY_08,
            True,
            "Maundy Thursday 22:00, no lead",
        ),
        (
            MAUNDY_THURSDAY_22,
            GOOD_FRIDAY_08,
            GOOD_FRIDAY_08,
            0,
            2 * H,
            GOOD_FRIDAY_08 + 2 * H,
            True,
            "Maundy Thursday 22:00, the fatal template's 2 h lead",
        ),
        (
            MAUNDY_THURSDAY_22,
            GOOD_FRIDAY_08,
            GOOD_FRIDAY_08,
            6,
            0 * H,
            GOOD_FRIDAY_08,
            True,
            "6 h after the death is 04:00: due at once at 08:00",
        ),
        (
            MAUNDY_THURSDAY_22,
            GOOD_FRIDAY_08,
            GOOD_FRIDAY_08,
            10,
            0 * H,
            GOOD_FRIDAY_08,
            False,
            "10 h is exactly the telling: not before it, kept",
        ),
        (
            MAUNDY_THURSDAY_22,
            GOOD_FRIDAY_08,
            GOOD_FRIDAY_08,
            48,
            2 * H,
            MAUNDY_THURSDAY_22 + 48 * H,
            False,
            "48 h: after the telling, kept",
        ),
        # Christmas Eve: 19:00 is daytime (told at once); 23:30 is told on Christmas Day.
        (
            XMAS_EVE_19,
            XMAS_EVE_19,
            XMAS_EVE_19,
            0,
            0 * H,
            XMAS_EVE_19,
            False,
            "Christmas Eve 19:00: told at once, due at once",
        ),
        (
            XMAS_EVE_19,
            XMAS_EVE_19,
            XMAS_EVE_19 + 0.5 * H,
            0,
            0 * H,
            XMAS_EVE_19 + 0.5 * H,
            False,
            "Christmas Eve 19:00, opened later: the lead after opening",
        ),
        (
            XMAS_EVE_2330,
            XMAS_DAY_08,
            XMAS_DAY_08,
            0,
            H,
            XMAS_DAY_08 + H,
            True,
            "Christmas Eve 23:30",
        ),
        (
            XMAS_EVE_2330,
            XMAS_DAY_08,
            XMAS_DAY_08,
            24,
            H,
            XMAS_EVE_2330 + 24 * H,
            False,
            "Christmas Eve 23:30, 24 h",
        ),
        # 17 May at 03:00, told at 08:00.
        (MAY_17_03, MAY_17_08, MAY_17_08, 2, 0 * H, MAY_17_08, True, "17 May 03:00, 2 h"),
        (MAY_17_03, MAY_17_08, MAY_17_08, 5, 0 * H, MAY_17_08, False, "17 May: 5 h is 08:00"),
        # A Saturday night: told Sunday 08:00, not Monday.
        (SATURDAY_23, SUNDAY_08, SUNDAY_08, 0, H, SUNDAY_08 + H, True, "Saturday 23:00"),
        (SATURDAY_23, SUNDAY_08, SUNDAY_08, 8, 0 * H, SUNDAY_08, True, "Saturday 23:00, 8 h"),
        (SATURDAY_23, SUNDAY_08, SUNDAY_08, 48, H, SATURDAY_23 + 48 * H, False, "48 h"),
        # A case taken later than it was paged: the lead counts from opening, as before.
        (T0, T0, T0 + 30 * H, 24, H, T0 + 31 * H, False, "taken after the deadline"),
        # Told before the case opened cannot make a deadline sooner than the lead.
        (T0, T0 + 5 * H, T0 + 6 * H, 0, H, T0 + 7 * H, True, "told, then opened later"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_no_deadline_falls_before_the_first_person_is_told(
    alert_at: datetime,
    told_at: datetime,
    opened_at: datetime,
    offset: float,
    lead: timedelta,
    expected: datetime,
    at_once: bool,
    why: str,
) -> None:
    deadline = deadlines.planned_deadline(
        alert_at, offset_hours=offset, told_at=told_at, opened_at=opened_at, min_lead=lead
    )
    assert deadline == deadlines.StepDeadline(expected, due_at_once=at_once)
    assert deadline.at >= told_at


@pytest.mark.parametrize(
    ("deadline", "now", "expected"),
    [
        (T0 + 24 * H, T0, T0 + 22 * H),
        (T0 + 2 * H, T0, None),  # the reminder time is now: no reminder
        (T0 + 2 * H + timedelta(seconds=1), T0, T0 + timedelta(seconds=1)),
        (T0 + H, T0, None),  # already inside the lead
    ],
)
def test_remind_at(deadline: datetime, now: datetime, expected: datetime | None) -> None:
    assert deadlines.remind_at(deadline, remind_before=2 * H, now=now) == expected


def test_next_attempt() -> None:
    assert deadlines.next_attempt(T0, retry_hours=4) == T0 + 4 * H
    assert deadlines.next_attempt(T0, retry_hours=4, requested=T0 + 30 * H) == T0 + 30 * H
    for bad, reason in (
        (T0, "later than now"),
        (T0 - H, "later than now"),
        (T0 + timedelta(days=30, seconds=1), "within 30 days"),
        (datetime(2026, 11, 24, 12, 0), "offset"),  # a naive time is refused
    ):
        with pytest.raises(ValueError, match=reason):
            deadlines.next_attempt(T0, retry_hours=4, requested=bad)


@pytest.mark.parametrize(
    ("deadline", "active", "now", "overdue"),
    [
        (T0, True, T0 - timedelta(seconds=1), False),
        (T0, True, T0, True),
        (T0, True, T0 + H, True),
        (T0, False, T0 + H, False),  # resolved steps are never overdue
        (None, True, T0, False),
    ],
)
def test_is_overdue(deadline: datetime | None, active: bool, now: datetime, overdue: bool) -> None:
    assert deadlines.is_overdue(deadline, active=active, now=now) is overdue


DEADLINE = T0 + 24 * H
REMIND = T0 + 22 * H
FRESH = Timer(DEADLINE, REMIND)
REMINDED = Timer(DEADLINE, REMIND, reminded=True)
TOLD = Timer(DEADLINE, REMIND, reminded=True, overdue_told=True)
NO_REMINDER = Timer(DEADLINE, None)


@pytest.mark.parametrize(
    ("timer", "now", "remind", "overdue", "next_due"),
    [
        (FRESH, REMIND - timedelta(seconds=1), False, False, REMIND),
        (FRESH, REMIND, True, False, DEADLINE),
        (REMINDED, REMIND + H, False, False, DEADLINE),  # told once
        (REMINDED, DEADLINE, False, True, None),
        (TOLD, DEADLINE + 5 * H, False, False, None),  # told once
        # The worker was down through the reminder: too late for it, the leader is told.
        (FRESH, DEADLINE + H, False, True, None),
        (NO_REMINDER, DEADLINE - H, False, False, DEADLINE),
        (NO_REMINDER, DEADLINE, False, True, None),
    ],
)
def test_due_notices(
    timer: Timer, now: datetime, remind: bool, overdue: bool, next_due: datetime | None
) -> None:
    notices = due_notices(timer, now=now)
    assert (notices.remind, notices.overdue) == (remind, overdue)
    assert notices.next_due_at == next_due


def test_a_timer_whose_overdue_notice_went_has_nothing_more_to_tell() -> None:
    # Even if its reminder never went (it was dropped as too late).
    skipped = Timer(DEADLINE, REMIND, reminded=False, overdue_told=True)
    assert next_due_at(skipped) is None
    assert not due_notices(skipped, now=DEADLINE + H).remind


def test_walking_a_timer_through_time_tells_each_notice_once() -> None:
    timer, told = FRESH, []
    instant = T0
    while instant <= DEADLINE + 3 * H:
        notices = due_notices(timer, now=instant)
        told += ["remind"] * notices.remind + ["overdue"] * notices.overdue
        timer = notices.timer
        instant += timedelta(minutes=10)
    assert told == ["remind", "overdue"]


# Quiet hours: no follow-up SMS from 22:00 to 08:00 Oslo time

OSLO = ZoneInfo("Europe/Oslo")


def oslo(day: str, clock_time: str) -> datetime:
    """An instant given in Oslo's local time ("2026-11-24", "21:59:59"), in UTC."""
    naive = datetime.fromisoformat(f"{day}T{clock_time}")
    return naive.replace(tzinfo=OSLO).astimezone(UTC)


def utc(day: str, clock_time: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock_time}+00:00")


MON, TUE, WED = "2026-11-23", "2026-11-24", "2026-11-25"
# Summer time starts on Sunday 28 March 2027 (02:00 -> 03:00): 08:00 is 06:00 UTC that day,
# 21:00 the evening before 20:00 UTC. It ends on Sunday 31 October 2027 (03:00 -> 02:00):
# 21:00 on Saturday is 19:00 UTC, 08:00 on Sunday 07:00 UTC.
SPRING_SAT, SPRING_SUN = "2027-03-27", "2027-03-28"
AUTUMN_SAT, AUTUMN_SUN = "2027-10-30", "2027-10-31"


@pytest.mark.parametrize(
    ("at", "quiet"),
    [
        pytest.param(oslo(MON, "12:00"), False, id="day"),
        pytest.param(oslo(MON, "21:59:59"), False, id="21:59:59"),
        pytest.param(oslo(MON, "22:00"), True, id="22:00"),
        pytest.param(oslo(TUE, "02:00"), True, id="02:00"),
        pytest.param(oslo(TUE, "07:59:59"), True, id="07:59:59"),
        pytest.param(oslo(TUE, "08:00"), False, id="08:00"),
        pytest.param(utc(SPRING_SAT, "20:59:59"), False, id="spring-21:59:59-winter-time"),
        pytest.param(utc(SPRING_SAT, "21:00"), True, id="spring-22:00-winter-time"),
        pytest.param(utc(SPRING_SUN, "05:59:59"), True, id="spring-07:59:59-summer-time"),
        pytest.param(utc(SPRING_SUN, "06:00"), False, id="spring-08:00-summer-time"),
        pytest.param(utc(SPRING_SUN, "06:59"), False, id="spring-08:59-not-07:59"),
        pytest.param(utc(AUTUMN_SAT, "19:59:59"), False, id="autumn-21:59:59-summer-time"),
        pytest.param(utc(AUTUMN_SAT, "20:00"), True, id="autumn-22:00-summer-time"),
        pytest.param(utc(AUTUMN_SUN, "06:59:59"), True, id="autumn-07:59:59-winter-time"),
        pytest.param(utc(AUTUMN_SUN, "06:00"), True, id="autumn-07:00-not-08:00"),
        pytest.param(utc(AUTUMN_SUN, "07:00"), False, id="autumn-08:00-winter-time"),
    ],
)
def test_quiet_hours(at: datetime, quiet: bool) -> None:
    assert deadlines.is_quiet(at) is quiet


@pytest.mark.parametrize(
    ("deadline", "told_at"),
    [
        pytest.param(oslo(MON, "12:40"), oslo(MON, "12:40"), id="day"),
        pytest.param(oslo(MON, "21:59"), oslo(MON, "21:59"), id="21:59"),
        pytest.param(oslo(MON, "22:00"), oslo(TUE, "08:00"), id="22:00"),
        pytest.param(oslo(TUE, "01:40"), oslo(TUE, "08:00"), id="01:40"),
        pytest.param(oslo(TUE, "07:59"), oslo(TUE, "08:00"), id="07:59"),
        pytest.param(oslo(TUE, "08:00"), oslo(TUE, "08:00"), id="08:00"),
        pytest.param(utc(SPRING_SUN, "01:30"), utc(SPRING_SUN, "06:00"), id="spring"),
        pytest.param(utc(AUTUMN_SUN, "01:30"), utc(AUTUMN_SUN, "07:00"), id="autumn"),
    ],
)
def test_an_overdue_notice_due_at_night_waits_until_0800(
    deadline: datetime, told_at: datetime
) -> None:
    assert deadlines.overdue_at(deadline) == told_at
    assert next_due_at(Timer(deadline, None)) == told_at
    if told_at > deadline:
        waiting = due_notices(Timer(deadline, None), now=told_at - timedelta(seconds=1))
        assert (waiting.overdue, waiting.next_due_at) == (False, told_at)
    told = due_notices(Timer(deadline, None), now=told_at)
    assert (told.overdue, told.next_due_at, told.timer.deadline) == (True, None, deadline)


TWO_HOURS = 2 * H


@pytest.mark.parametrize(
    ("opened", "deadline", "reminded_at"),
    [
        pytest.param(oslo(MON, "09:00"), oslo(MON, "15:00"), oslo(MON, "13:00"), id="day"),
        pytest.param(oslo(MON, "12:00"), oslo(TUE, "23:59"), oslo(TUE, "21:59"), id="at-21:59"),
        # Due at 22:00 (quiet): the evening before is the same evening, at 21:00.
        pytest.param(oslo(MON, "12:00"), oslo(TUE, "00:00"), oslo(MON, "21:00"), id="at-22:00"),
        pytest.param(oslo(MON, "12:00"), oslo(TUE, "09:59"), oslo(MON, "21:00"), id="at-07:59"),
        pytest.param(oslo(MON, "12:00"), oslo(TUE, "10:00"), oslo(TUE, "08:00"), id="at-08:00"),
        # Opened after 21:00: at 08:00, when that is before the deadline; else none.
        pytest.param(oslo(MON, "23:00"), oslo(TUE, "09:59"), oslo(TUE, "08:00"), id="late-08:00"),
        pytest.param(oslo(MON, "21:00"), oslo(TUE, "01:00"), None, id="opened-21:00-none"),
        pytest.param(oslo(MON, "20:59"), oslo(TUE, "01:00"), oslo(MON, "21:00"), id="open-20:59"),
        # A step opened at 02:00 (an alert taken at night).
        pytest.param(oslo(TUE, "02:00"), oslo(WED, "01:40"), oslo(TUE, "21:00"), id="02:00-24h"),
        pytest.param(oslo(TUE, "02:00"), oslo(TUE, "09:00"), oslo(TUE, "08:00"), id="02:00-09:00"),
        pytest.param(oslo(TUE, "02:00"), oslo(TUE, "08:00"), None, id="02:00-due-08:00"),
        pytest.param(oslo(TUE, "02:00"), oslo(TUE, "08:01"), oslo(TUE, "08:00"), id="02:00-08:01"),
        pytest.param(oslo(TUE, "02:00"), oslo(TUE, "03:00"), None, id="02:00-passed"),
        pytest.param(oslo(TUE, "02:00"), oslo(TUE, "12:00"), oslo(TUE, "10:00"), id="02:00-day"),
        # Summer time starts: 21:00 on Saturday is 20:00 UTC, 08:00 on Sunday 06:00 UTC.
        pytest.param(
            oslo(SPRING_SAT, "12:00"),
            utc(SPRING_SUN, "07:00"),  # 09:00 summer time, reminder due at 07:00
            utc(SPRING_SAT, "20:00"),
            id="spring-evening",
        ),
        pytest.param(
            utc(SPRING_SUN, "00:30"),  # 01:30 winter time
            utc(SPRING_SUN, "07:00"),
            utc(SPRING_SUN, "06:00"),
            id="spring-morning",
        ),
        # Summer time ends: 21:00 on Saturday is 19:00 UTC, 08:00 on Sunday 07:00 UTC.
        pytest.param(
            oslo(AUTUMN_SAT, "12:00"),
            utc(AUTUMN_SUN, "08:00"),  # 09:00 winter time, reminder due at 07:00
            utc(AUTUMN_SAT, "19:00"),
            id="autumn-evening",
        ),
        pytest.param(
            utc(AUTUMN_SAT, "23:30"),  # 01:30 summer time
            utc(AUTUMN_SUN, "08:00"),
            utc(AUTUMN_SUN, "07:00"),
            id="autumn-morning",
        ),
    ],
)
def test_a_reminder_due_at_night_goes_the_evening_before_or_at_0800(
    opened: datetime, deadline: datetime, reminded_at: datetime | None
) -> None:
    assert deadlines.remind_at(deadline, remind_before=TWO_HOURS, now=opened) == reminded_at
    if reminded_at is not None:
        assert not deadlines.is_quiet(reminded_at)
        assert opened < reminded_at < deadline


def walk(timer: Timer, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
    """Run the worker every minute from `start` to `end`, claiming only what is due."""
    told: list[tuple[str, datetime]] = []
    due = next_due_at(timer)
    instant = start
    while instant <= end and due is not None:
        if instant >= due:
            notices = due_notices(timer, now=instant)
            told += [("remind", instant)] * notices.remind + [
                ("overdue", instant)
            ] * notices.overdue
            timer, due = notices.timer, notices.next_due_at
            assert due is None or due > instant  # never claimed again at once
        instant += timedelta(minutes=1)
    return told


def test_a_step_opened_at_0200_is_told_by_day_only() -> None:
    opened, deadline = oslo(TUE, "02:00"), oslo(WED, "01:40")  # 24 h after the overdose
    timer = Timer(deadline, deadlines.remind_at(deadline, remind_before=TWO_HOURS, now=opened))
    assert walk(timer, opened, deadline + 12 * H) == [
        ("remind", oslo(TUE, "21:00")),
        ("overdue", oslo(WED, "08:00")),
    ]


def test_a_worker_that_catches_up_at_night_waits_until_0800() -> None:
    # The reminder was due at 21:00, the worker was down until 23:00: nothing at 23:00, the
    # reminder at 08:00 (the deadline, 09:00, has not come).
    timer = Timer(oslo(WED, "09:00"), oslo(TUE, "21:00"))
    night = due_notices(timer, now=oslo(TUE, "23:00"))
    assert (night.remind, night.overdue, night.timer) == (False, False, timer)
    assert night.next_due_at == oslo(WED, "08:00")
    morning = due_notices(timer, now=oslo(WED, "08:00"))
    assert (morning.remind, morning.overdue, morning.next_due_at) == (True, False, timer.deadline)
    # Its deadline was at 07:00: at 08:00 it is too late to remind; the leader is told.
    early = Timer(oslo(WED, "07:00"), oslo(TUE, "21:00"))
    assert due_notices(early, now=oslo(TUE, "23:00")).next_due_at == oslo(WED, "08:00")
    late = due_notices(early, now=oslo(WED, "08:00"))
    assert (late.remind, late.overdue, late.next_due_at) == (False, True, None)
    # A retry that lands at night, of a day deadline still ahead: at 08:00.
    ahead = Timer(oslo(WED, "15:00"), oslo(WED, "13:00"))
    assert due_notices(ahead, now=oslo(TUE, "23:00")).next_due_at == oslo(WED, "13:00")
    assert due_notices(TOLD, now=oslo(TUE, "23:00")).next_due_at is None


# Texts

CASE_ID = uuid.UUID("5d1c2a8e-3f47-4c1b-9a0e-7f6b2d9c8e41")
LONGEST_BASE = "https://" + "o" * 25  # 33 characters, the most the settings allow
LINK = texts.case_link(LONGEST_BASE, CASE_ID)


def test_the_case_link() -> None:
    assert texts.case_link("https://odvarsel.no/", CASE_ID) == (
        "https://odvarsel.no/a/cases/5d1c2a8e-3f47-4c1b-9a0e-7f6b2d9c8e41"
    )
    assert len(LINK) == 78


@pytest.mark.parametrize("render", [texts.reminder_text, texts.overdue_text])
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", ["Fredrikstad", "Porsáŋgu Porsanger Porsanki " * 3, ""])
def test_texts_are_one_gsm7_segment_with_the_link_whole(render, language, name) -> None:
    body = render(municipality_name=name, deadline=DEADLINE, link=LINK, language=language)
    assert is_gsm7(body)
    assert septet_length(body) <= SINGLE_SEGMENT
    assert body.endswith(LINK)
    assert ("24 Nov 12:40" if language == "en" else "24.11. kl. 12.40") in body  # Oslo time
    if name == "Fredrikstad":
        assert "Fredrikstad" in body


def test_texts_in_bokmal_and_english() -> None:
    nb = texts.reminder_text(municipality_name="Fredrikstad", deadline=DEADLINE, link=LINK)
    en = texts.overdue_text(
        municipality_name="Fredrikstad", deadline=DEADLINE, link=LINK, language="en"
    )
    assert nb.startswith(
        "Påminnelse Fredrikstad: oppfølging etter overdose har frist 24.11. kl. 12.40"
    )
    assert en.startswith("Deadline passed Fredrikstad 24 Nov 12:40")


def test_a_link_unfit_for_an_sms_is_refused() -> None:
    for link in ("ftp://x/a", "https://x/a b", "https://" + "x" * 100):
        with pytest.raises(ValueError):
            texts.reminder_text(municipality_name="X", deadline=DEADLINE, link=link)


# From a template to the steps of a case

NOTHING = {c: False for c in Condition}


@pytest.mark.parametrize(
    ("personal", "age_band", "inform", "duty", "held"),
    [
        ({}, None, False, False, set()),
        ({"scene.relative_present": True}, None, False, False, {Condition.RELATIVES_KNOWN}),
        ({"scene.relative_called_113": True}, None, False, False, {Condition.RELATIVES_KNOWN}),
        ({"person.homeless": True}, None, False, False, {Condition.HOMELESS}),
        ({"person.homeless": False}, None, False, False, set()),
        ({"person.homeless": None}, None, False, False, set()),  # unknown does not hold
        (
            {"person.children_in_household": True},
            None,
            False,
            False,
            {Condition.CHILDREN_IN_HOUSEHOLD},
        ),
        ({"scene.others_present": True}, None, False, False, {Condition.OTHERS_PRESENT}),
        ({}, "under_12", False, False, {Condition.MINOR, Condition.UNDER_16}),
        ({}, "12_15", False, False, {Condition.MINOR, Condition.UNDER_16}),
        ({}, "16_17", False, False, {Condition.MINOR, Condition.AGED_16_17}),
        ({}, "adult", False, False, set()),
        ({}, None, True, False, {Condition.SHARED_WITHOUT_CONSENT}),
        ({}, None, False, True, {Condition.SHARED_WITHOUT_CONSENT}),
    ],
)
def test_evaluate_conditions(personal, age_band, inform, duty, held) -> None:
    conditions = plan.evaluate_conditions(
        personal, age_band=age_band, inform_person_required=inform, open_inform_duty=duty
    )
    assert set(conditions) == set(Condition)
    assert {c for c, value in conditions.items() if value} == held
    assert all(isinstance(value, bool) for value in conditions.values())


LEADER, TAKER = uuid.uuid4(), uuid.uuid4()


def test_the_survivor_plan() -> None:
    template = default_template(TemplateKind.SURVIVOR)
    conditions = {**NOTHING, Condition.HOMELESS: True}
    opened = T0 + timedelta(minutes=25)
    steps = {
        s.template.key: s
        for s in plan.plan_steps(
            template,
            conditions,
            people=plan.RoleHolders(leader=LEADER, taker=TAKER),
            alert_at=T0,
            opened_at=opened,
        )
    }
    assert list(steps) == [s.key for s in template.steps]
    assess, reach, visit = steps["assess"], steps["reach"], steps["visit"]
    assert (assess.owner_member_id, assess.deadline, assess.remind_at) == (
        LEADER,
        opened + H,
        None,  # due within the reminder lead: no reminder
    )
    assert (reach.owner_member_id, reach.deadline, reach.remind_at) == (
        TAKER,
        T0 + 24 * H,
        T0 + 22 * H,
    )
    assert reach.next_due_at == T0 + 22 * H
    assert (visit.owner_member_id, visit.companion_member_id) == (TAKER, None)  # assigned later
    assert steps["shelter"].state is StepState.OPEN
    for key in ("relatives", "children", "tell_what_was_shared", "parents", "parents_16_17"):
        left_out = steps[key]
        assert (left_out.state, left_out.active, left_out.next_due_at) == (
            StepState.NOT_APPLICABLE,
            False,
            None,
        )
    planned_contacts = [k for k in steps if k.startswith("contact_")]
    assert len(planned_contacts) >= 4  # the 3-4 week plan
    assert max(steps[k].deadline for k in planned_contacts) <= T0 + timedelta(weeks=4)
    assert steps["leader_review"].owner_member_id == LEADER


def test_without_a_taker_the_leader_holds_the_takers_steps() -> None:
    template = default_template(TemplateKind.SURVIVOR)
    people = plan.RoleHolders(leader=LEADER, taker=None)
    steps = plan.plan_steps(template, NOTHING, people=people, alert_at=T0, opened_at=T0)
    assert {s.owner_member_id for s in steps if s.template.owner.value == "taker"} == {LEADER}
    # The leader took it: nobody accompanies themselves.
    same = plan.RoleHolders(leader=LEADER, taker=LEADER)
    for step in plan.plan_steps(template, NOTHING, people=same, alert_at=T0, opened_at=T0):
        assert step.companion_member_id != step.owner_member_id or step.owner_member_id is None


def test_the_fatal_plan() -> None:
    template = default_template(TemplateKind.FATAL)
    conditions = {**NOTHING, Condition.OTHERS_PRESENT: True}
    steps = {
        s.template.key: s
        for s in plan.plan_steps(
            template,
            conditions,
            people=plan.RoleHolders(leader=LEADER, taker=LEADER),
            alert_at=T0,
            opened_at=T0,
        )
    }
    assert steps["peer_outreach"].state is StepState.OPEN
    assert steps["children_bereaved"].state is StepState.NOT_APPLICABLE
    assert steps["serious_event_report"].owner_member_id == LEADER
    assert steps["bereaved_crisis_help"].owner_member_id is None  # the leader assigns it
