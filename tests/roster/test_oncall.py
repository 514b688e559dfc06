"""Who is on duty: rotations across DST, windows, shifts, overrides and coverage gaps."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from app.roster.rota.oncall import OSLO, Override, Roster, Rotation, Shift, coverage_gaps, on_duty


def oslo(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


def utc(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


NIGHT = (time(22, 0), time(8, 0))

# Weekly 08:00 handoffs from Monday 23 March; summer time starts Sunday 29 March.
SPRING = Roster(rotations=(Rotation(("ada", "bo", "cy"), anchor=oslo(3, 23, 8)),))
# Weekly 08:00 handoffs from Monday 19 October; winter time starts Sunday 25 October.
AUTUMN = Roster(rotations=(Rotation(("ada", "bo"), anchor=oslo(10, 19, 8)),))


@pytest.mark.parametrize(
    ("roster", "at", "expected"),
    [
        (SPRING, utc(3, 23, 6, 59), ()),  # before the anchor (08:00 CET = 07:00Z)
        (SPRING, utc(3, 23, 7, 0), ("ada",)),
        (SPRING, utc(3, 30, 5, 59), ("ada",)),  # 07:59 CEST
        (SPRING, utc(3, 30, 6, 0), ("bo",)),  # 08:00 CEST: the handoff stays at 08:00 local
        (SPRING, utc(4, 6, 6, 0), ("cy",)),
        (SPRING, utc(4, 13, 5, 59), ("cy",)),
        (SPRING, utc(4, 13, 6, 0), ("ada",)),  # wraps around
        (AUTUMN, utc(10, 26, 6, 59), ("ada",)),  # 07:59 CET
        (AUTUMN, utc(10, 26, 7, 0), ("bo",)),  # 08:00 CET
        (AUTUMN, utc(11, 2, 7, 0), ("ada",)),
    ],
)
def test_weekly_handoff_keeps_local_time_across_dst(
    roster: Roster, at: datetime, expected: tuple[str, ...]
) -> None:
    assert on_duty(roster, at) == expected


@pytest.mark.parametrize(
    ("rotation", "at", "expected"),
    [
        # An anchor given in UTC still hands off at its Oslo wall time (08:00).
        (Rotation(("ada", "bo"), anchor=utc(3, 23, 7)), utc(3, 30, 5, 59), ("ada",)),
        (Rotation(("ada", "bo"), anchor=utc(3, 23, 7)), utc(3, 30, 6, 0), ("bo",)),
        # 02:30 does not exist on 29 March: that day's handoff falls at 03:30 CEST (01:30Z).
        (
            Rotation(("ada", "bo"), anchor=oslo(3, 27, 2, 30), shift_days=1),
            utc(3, 29, 1, 29),
            ("bo",),
        ),
        (
            Rotation(("ada", "bo"), anchor=oslo(3, 27, 2, 30), shift_days=1),
            utc(3, 29, 1, 30),
            ("ada",),
        ),
        (
            Rotation(("ada", "bo"), anchor=oslo(3, 27, 2, 30), shift_days=1),
            utc(3, 30, 0, 30),
            ("bo",),
        ),
        # One member, once started, is always on duty.
        (Rotation(("nina",), anchor=oslo(1, 5, 8)), oslo(1, 5, 7, 59), ()),
        (Rotation(("nina",), anchor=oslo(1, 5, 8)), oslo(1, 5, 8), ("nina",)),
        (Rotation(("nina",), anchor=oslo(1, 5, 8)), oslo(1, 1, 3, year=2027), ("nina",)),
        # Three-day shifts.
        (Rotation(("ada", "bo"), anchor=oslo(5, 1, 9), shift_days=3), oslo(5, 4, 8, 59), ("ada",)),
        (Rotation(("ada", "bo"), anchor=oslo(5, 1, 9), shift_days=3), oslo(5, 4, 9), ("bo",)),
        (Rotation(("ada", "bo"), anchor=oslo(5, 1, 9), shift_days=3), oslo(5, 7, 9), ("ada",)),
    ],
)
def test_rotation_member(rotation: Rotation, at: datetime, expected: tuple[str, ...]) -> None:
    assert on_duty(Roster(rotations=(rotation,)), at) == expected


NIGHT_SPRING = Roster(rotations=(Rotation(("nina",), anchor=oslo(3, 20, 22), window=NIGHT),))
DAYTIME = Roster(rotations=(Rotation(("dag",), anchor=oslo(3, 2, 8), window=(time(8), time(16))),))
# Night duty handing off at 22:00 every day: the night belongs to whoever started it.
NIGHTLY = Roster(
    rotations=(Rotation(("ada", "bo"), anchor=oslo(5, 4, 22), shift_days=1, window=NIGHT),)
)


@pytest.mark.parametrize(
    ("roster", "at", "expected"),
    [
        (NIGHT_SPRING, oslo(3, 28, 21, 59), ()),
        (NIGHT_SPRING, oslo(3, 28, 22), ("nina",)),
        (NIGHT_SPRING, oslo(3, 29, 7, 59), ("nina",)),
        (NIGHT_SPRING, oslo(3, 29, 8), ()),
        (NIGHT_SPRING, oslo(3, 29, 12), ()),
        (DAYTIME, oslo(3, 3, 7, 59), ()),
        (DAYTIME, oslo(3, 3, 8), ("dag",)),
        (DAYTIME, oslo(3, 3, 15, 59), ("dag",)),
        (DAYTIME, oslo(3, 3, 16), ()),
        (NIGHTLY, oslo(5, 5, 3), ("ada",)),
        (NIGHTLY, oslo(5, 5, 12), ()),
        (NIGHTLY, oslo(5, 5, 23), ("bo",)),
        (NIGHTLY, oslo(5, 6, 7, 59), ("bo",)),
    ],
)
def test_daily_window(roster: Roster, at: datetime, expected: tuple[str, ...]) -> None:
    assert on_duty(roster, at) == expected


@pytest.mark.parametrize(
    ("evening", "night_start_utc", "night_end_utc", "hours"),
    [
        (oslo(3, 28), utc(3, 28, 21), utc(3, 29, 6), 9),  # spring forward
        (oslo(6, 10), utc(6, 10, 20), utc(6, 11, 6), 10),
        (oslo(10, 24), utc(10, 24, 20), utc(10, 25, 7), 11),  # fall back
    ],
)
def test_night_window_length_across_dst(
    evening: datetime, night_start_utc: datetime, night_end_utc: datetime, hours: int
) -> None:
    roster = Roster(rotations=(Rotation(("nina",), anchor=oslo(1, 1, 22), window=NIGHT),))
    day_before, day_after = evening + timedelta(hours=12), evening + timedelta(days=1, hours=12)
    gaps = coverage_gaps(roster, day_before, day_after)
    assert gaps == [(day_before, night_start_utc), (night_end_utc, day_after)]
    assert night_end_utc - night_start_utc == timedelta(hours=hours)


DAY = Shift("sam", oslo(6, 1, 8), oslo(6, 1, 16))


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (oslo(6, 1, 7, 59), ()),
        (oslo(6, 1, 8), ("sam",)),  # start inclusive
        (oslo(6, 1, 16) - timedelta(microseconds=1), ("sam",)),
        (oslo(6, 1, 16), ()),  # end exclusive
    ],
)
def test_shift_boundaries(at: datetime, expected: tuple[str, ...]) -> None:
    assert on_duty(Roster(shifts=(DAY,)), at) == expected


def test_order_is_rotations_then_shifts_by_start_then_additions() -> None:
    roster = Roster(
        rotations=(
            Rotation(("ada",), anchor=oslo(1, 5, 8)),
            Rotation(("bo",), anchor=oslo(1, 5, 8)),
        ),
        shifts=(
            Shift("zed", oslo(6, 1, 10), oslo(6, 1, 18)),
            Shift("ada", oslo(6, 1, 8), oslo(6, 1, 18)),
            Shift("yan", oslo(6, 1, 9), oslo(6, 1, 18)),
        ),
        overrides=(Override(oslo(6, 1), oslo(6, 2), "xi", None),),
    )
    assert on_duty(roster, oslo(6, 1, 12)) == ("ada", "bo", "yan", "zed", "xi")


BASE = (Rotation(("ada", "bo"), anchor=oslo(1, 5, 8)),)  # ada has the week of 5 January
AT = oslo(1, 7, 12)
DAYS = (oslo(1, 6), oslo(1, 9))


@pytest.mark.parametrize(
    ("overrides", "shifts", "expected"),
    [
        ((), (), ("ada",)),
        ((Override(*DAYS, "cy", None),), (), ("ada", "cy")),  # add
        ((Override(*DAYS, "cy", "ada"),), (), ("cy",)),  # replace
        ((Override(*DAYS, None, "ada"),), (), ()),  # take off duty
        ((Override(*DAYS, "cy", "bo"),), (), ("ada",)),  # bo is not on duty: nothing to replace
        ((Override(*DAYS, None, "bo"),), (), ("ada",)),
        ((Override(AT - timedelta(hours=1), AT, None, "ada"),), (), ("ada",)),  # ended
        ((Override(AT, AT + timedelta(hours=1), None, "ada"),), (), ()),  # just started
        ((Override(*DAYS, "cy", None), Override(*DAYS, None, "cy")), (), ("ada",)),
        ((Override(*DAYS, "cy", "ada"), Override(*DAYS, None, "cy")), (), ()),  # cover is sick
        (
            (Override(oslo(1, 7, 9), oslo(1, 8), "dan", "cy"), Override(*DAYS, "cy", "ada")),
            (),
            ("dan",),  # replacements chain in order of start
        ),
        ((Override(*DAYS, "cy", "ada"),), (Shift("cy", *DAYS),), ("cy",)),
        ((Override(*DAYS, "ada", None),), (Shift("cy", *DAYS),), ("ada", "cy")),
    ],
)
def test_overrides(
    overrides: tuple[Override, ...], shifts: tuple[Shift, ...], expected: tuple[str, ...]
) -> None:
    roster = Roster(rotations=BASE, shifts=shifts, overrides=overrides)
    assert on_duty(roster, AT) == expected


@pytest.mark.parametrize(
    ("roster", "start", "end", "expected"),
    [
        (Roster(), oslo(6, 1), oslo(6, 2), [(oslo(6, 1), oslo(6, 2))]),
        (Roster(shifts=(DAY,)), oslo(6, 1, 12), oslo(6, 1, 12), []),
        (  # nobody before the rotation starts
            Roster(rotations=(Rotation(("ada",), anchor=oslo(6, 1, 12)),)),
            oslo(6, 1),
            oslo(6, 2),
            [(oslo(6, 1), oslo(6, 1, 12))],
        ),
        (Roster(shifts=(DAY,)), oslo(6, 1, 8), oslo(6, 1, 16), []),
        (
            Roster(shifts=(DAY,)),
            oslo(6, 1),
            oslo(6, 2),
            [(oslo(6, 1), oslo(6, 1, 8)), (oslo(6, 1, 16), oslo(6, 2))],
        ),
        (  # one minute between two shifts: exact, not sampled
            Roster(
                shifts=(
                    Shift("ada", oslo(6, 1, 8), oslo(6, 1, 12)),
                    Shift("bo", oslo(6, 1, 12, 1), oslo(6, 1, 16)),
                )
            ),
            oslo(6, 1, 8),
            oslo(6, 1, 16),
            [(oslo(6, 1, 12), oslo(6, 1, 12, 1))],
        ),
        (  # a removal inside the shift and the empty time after it merge into one gap
            Roster(
                shifts=(Shift("ada", oslo(6, 1, 8), oslo(6, 1, 12)),),
                overrides=(Override(oslo(6, 1, 10), oslo(6, 1, 12), None, "ada"),),
            ),
            oslo(6, 1, 8),
            oslo(6, 1, 14),
            [(oslo(6, 1, 10), oslo(6, 1, 14))],
        ),
        (  # before the anchor, then ada's day off duty, until bo's handoff
            Roster(
                rotations=(Rotation(("ada", "bo"), anchor=oslo(2, 2, 8), shift_days=1),),
                overrides=(Override(oslo(2, 2), oslo(2, 4), None, "ada"),),
            ),
            oslo(2, 2, 6),
            oslo(2, 3, 12),
            [(oslo(2, 2, 6), oslo(2, 3, 8))],
        ),
        (  # night rotation plus a day shift: the evening is open
            Roster(
                rotations=(Rotation(("nina",), anchor=oslo(5, 1, 22), window=NIGHT),),
                shifts=(Shift("dag", oslo(6, 1, 8), oslo(6, 1, 16)),),
            ),
            oslo(6, 1, 6),
            oslo(6, 2, 6),
            [(oslo(6, 1, 16), oslo(6, 1, 22))],
        ),
        (  # a single-member rotation covers the whole DST week
            Roster(rotations=(Rotation(("nina",), anchor=oslo(10, 19, 8)),)),
            oslo(10, 19, 8),
            oslo(10, 26, 8),
            [],
        ),
        (  # an added member fills a sick leave
            Roster(
                rotations=(Rotation(("ada",), anchor=oslo(1, 5, 8)),),
                overrides=(
                    Override(oslo(3, 2, 8), oslo(3, 4, 8), None, "ada"),
                    Override(oslo(3, 3, 8), oslo(3, 5, 8), "cy", None),
                ),
            ),
            oslo(3, 1),
            oslo(3, 8),
            [(oslo(3, 2, 8), oslo(3, 3, 8))],
        ),
    ],
)
def test_coverage_gaps(
    roster: Roster, start: datetime, end: datetime, expected: list[tuple[datetime, datetime]]
) -> None:
    assert coverage_gaps(roster, start, end) == expected


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: on_duty(Roster(), datetime(2026, 1, 1, 12)), "timezone-aware"),
        (lambda: coverage_gaps(Roster(), datetime(2026, 1, 1), oslo(1, 2)), "timezone-aware"),
        (lambda: coverage_gaps(Roster(), oslo(1, 2), oslo(1, 1)), "before start"),
        (lambda: Rotation(("ada",), anchor=datetime(2026, 1, 1)), "timezone-aware"),
        (lambda: Rotation((), anchor=oslo(1, 1)), "at least one member"),
        (lambda: Rotation(("ada",), anchor=oslo(1, 1), shift_days=0), "shift_days"),
        (lambda: Rotation(("ada",), oslo(1, 1), 7, (time(22, tzinfo=UTC), time(8))), "naive"),
        (lambda: Shift("ada", oslo(1, 1, 8), oslo(1, 1, 8)), "end after it starts"),
        (lambda: Shift("ada", oslo(1, 1, 8), datetime(2026, 1, 1, 9)), "timezone-aware"),
        (lambda: Override(oslo(1, 1), oslo(1, 2), None, None), "member_id, replaces"),
        (lambda: Override(oslo(1, 1), oslo(1, 2), "ada", "ada"), "same member"),
        (lambda: Override(oslo(1, 2), oslo(1, 1), "ada", None), "end after it starts"),
    ],
)
def test_invalid_input_is_refused(make: object, message: str) -> None:
    assert callable(make)
    with pytest.raises(ValueError, match=message):
        make()
