"""Small-count suppression (pure): primary "<5", secondary "x" until no hidden cell can be
recovered by subtraction, also from two overlapping answers of the same cube."""

from __future__ import annotations

import random
from typing import Any

import pytest

from app.statistics import cube
from app.statistics.cube import ALL, EVENTS, Period, YearCube, count_cube, relations_of_year
from app.statistics.suppression import Hidden, Relation, determined_cells, suppress

R = Relation


def marks(counts: dict[str, int], relations: list[Relation[str]]) -> dict[str, str]:
    return {cell: shown.text for cell, shown in suppress(counts, relations).items()}


@pytest.mark.parametrize(
    ("counts", "relations", "expected"),
    [
        # Nothing small: all shown, zero included
        (
            {"T": 20, "a": 12, "b": 8, "c": 0},
            [R("T", ("a", "b", "c"))],
            {"T": "20", "a": "12", "b": "8", "c": "0"},
        ),
        # One small part: the smallest other non-zero part goes too (not the zero)
        (
            {"T": 20, "a": 3, "b": 11, "c": 6, "d": 0},
            [R("T", ("a", "b", "c", "d"))],
            {"T": "20", "a": "<5", "b": "11", "c": "x", "d": "0"},
        ),
        # Two small parts hide each other: nothing more
        (
            {"T": 20, "a": 3, "b": 2, "c": 15},
            [R("T", ("a", "b", "c"))],
            {"T": "20", "a": "<5", "b": "<5", "c": "15"},
        ),
        # A small total alone: the smallest non-zero part goes too
        (
            {"T": 4, "a": 0, "b": 0, "c": 4},
            [R("T", ("a", "b", "c"))],
            {"T": "<5", "a": "0", "b": "0", "c": "<5"},
        ),
        # Only the total is left to hide
        (
            {"T": 9, "a": 3, "b": 0},
            [R("T", ("a", "b"))],
            {"T": "x", "a": "<5", "b": "0"},
        ),
        # Ties: parts before the total, then the first part
        (
            {"T": 10, "a": 2, "b": 8, "c": 0},
            [R("T", ("a", "b", "c"))],
            {"T": "10", "a": "<5", "b": "x", "c": "0"},
        ),
        # A secondary cell completes another relation: it goes on (fixpoint)
        (
            {"T": 30, "a": 3, "b": 7, "c": 20, "b1": 5, "b2": 2},
            [R("T", ("a", "b", "c")), R("b", ("b1", "b2"))],
            {"T": "30", "a": "<5", "b": "x", "c": "20", "b1": "5", "b2": "<5"},
        ),
        (
            {"T": 30, "a": 3, "b": 7, "c": 20, "b1": 6, "b2": 1, "U": 10, "u": 4, "v": 6},
            [R("T", ("a", "b", "c")), R("b", ("b1", "b2")), R("U", ("u", "v"))],
            {
                "T": "30",
                "a": "<5",
                "b": "x",
                "c": "20",
                "b1": "6",
                "b2": "<5",
                "U": "10",
                "u": "<5",
                "v": "x",
            },
        ),
    ],
)
def test_hand_made_cubes(
    counts: dict[str, int], relations: list[Relation[str]], expected: dict[str, str]
) -> None:
    assert marks(counts, relations) == expected


def test_a_cycle_of_relations_the_single_rule_misses_is_closed_by_the_audit() -> None:
    # Each relation has two hidden cells, so hiding one more per relation does nothing, yet
    # a + b, a + c and b + c known solve all three: the audit hides a total as well.
    counts = {"a": 2, "b": 3, "c": 4, "T": 5, "U": 6, "V": 7}
    relations = [R("T", ("a", "b")), R("U", ("a", "c")), R("V", ("b", "c"))]
    assert determined_cells(relations, ["a", "b", "c"]) == ["a", "b", "c"]
    assert marks(counts, relations) == {
        "a": "<5",
        "b": "<5",
        "c": "<5",
        "T": "x",
        "U": "6",
        "V": "7",
    }
    assert determined_cells(relations, ["a", "b", "c", "T"]) == []


def test_the_attacker_solves_a_lone_hidden_cell_and_not_a_pair() -> None:
    relations = [R("T", ("a", "b", "c"))]
    assert determined_cells(relations, ["a"]) == ["a"]
    assert determined_cells(relations, ["a", "b"]) == []
    # Two relations sharing a pair: the differences pin it down
    relations = [R("T", ("a", "b", "c")), R("U", ("a", "d"))]
    assert determined_cells(relations, ["a", "b"]) == ["a", "b"]


def test_primary_and_secondary_are_told_apart() -> None:
    shown = suppress({"T": 20, "a": 3, "b": 17}, [R("T", ("a", "b"))])
    assert (shown["a"].hidden, shown["a"].count) == (Hidden.PRIMARY, None)
    assert (shown["b"].hidden, shown["b"].count) == (Hidden.SECONDARY, None)
    assert (shown["T"].hidden, shown["T"].count) == (None, 20)


# The year's cube


def fact(month: str, **values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "month": month,
        "kind": "non_fatal",
        "outcome": "declined_transport",
        "destination": "home_alone",
        "place_type": "outdoors",
        "evening": True,
        "weekend": False,
        "sex": "male",
        "age_band": "adult",
        "naloxone": True,
        "naloxone_by_bystander": False,
        "substance_groups": ["opioid"],
        "minutes_to_acknowledge": 6,
        "reached_within_24h": True,
        "next_appointment": None,
    }
    return {**base, **values}


def year_of(facts: list[dict[str, Any]], persons: dict[str, int] | None = None) -> YearCube:
    return YearCube.build("3107", 2026, facts, persons=persons or {})


def hidden_cells(year: YearCube) -> list[cube.Cell]:
    return [cell for cell, shown in year.shown.items() if shown.count is None]


def test_a_half_year_and_its_months_cannot_be_subtracted() -> None:
    # November has 3 events, the rest of the half-year 40: the half-year total minus the
    # other months would give November's 3 if one of them were shown beside it.
    facts = [fact("2026-11") for _ in range(3)]
    facts += [fact(f"2026-{m:02d}") for m in (7, 8, 9, 10) for _ in range(8)]
    facts += [fact("2026-12") for _ in range(8)]
    year = year_of(facts)
    half = year.period(Period.parse("2026-H2"))
    months = {key: year.period(Period.parse(key)) for key in half.period.months}
    assert months["2026-11"].events.text == "<5"
    assert half.events.count == 43
    shown_months = [m.events.count for m in months.values() if m.events.count is not None]
    assert len(shown_months) == 4  # another month is hidden ("x"), so 43 - sum cannot work
    assert [m.events.text for m in months.values()].count("x") == 1
    assert determined_cells(relations_of_year(2026), hidden_cells(year)) == []


def test_two_breakdowns_of_the_same_month_cannot_be_subtracted() -> None:
    # 12 events in March: 2 women among them, and 2 fatal. Sex and kind both add up to the
    # month's 12: each small cell takes a second cell of its breakdown with it, and the
    # events total is the same cell in both.
    facts = [fact("2026-03", sex="female") for _ in range(2)]
    facts += [fact("2026-03", kind="fatal", outcome="deceased") for _ in range(2)]
    facts += [fact("2026-03") for _ in range(8)]
    year = year_of(facts)
    march = year.period(Period.parse("2026-03"))
    by = {(row.dimension, row.value): row.shown.text for row in march.rows}
    assert march.events.text == "12"
    assert by[("sex", "female")] == "<5" and by[("sex", "male")] == "x"
    assert by[("kind", "fatal")] == "<5" and by[("kind", "non_fatal")] == "x"
    assert determined_cells(relations_of_year(2026), hidden_cells(year)) == []


def test_every_answer_reads_the_same_suppressed_cells() -> None:
    facts = [fact("2026-02", sex="female")] + [fact("2026-02") for _ in range(9)]
    year = year_of(facts)
    from_month = {
        (r.dimension, r.value): r.shown for r in year.period(Period.parse("2026-02")).rows
    }
    from_year = year.period(Period.parse("2026")).months
    assert dict(from_year)["2026-02"] == year.shown[("2026-02", EVENTS, ALL)]
    assert from_month[("sex", "female")] == year.shown[("2026-02", "sex", "female")]


@pytest.mark.parametrize("seed", range(12))
def test_no_hidden_cell_of_a_random_year_can_be_recovered(seed: int) -> None:
    """The attacker: every sum and difference of the whole year's shown cells at once."""
    rng = random.Random(seed)
    size = rng.choice([3, 15, 40, 120])
    facts = [
        fact(
            f"2026-{rng.randint(1, 12):02d}",
            sex=rng.choice(["male", "female", None]),
            place_type=rng.choice(["own_home", "outdoors", None, "others_home"]),
            evening=rng.random() < 0.6,
            weekend=rng.random() < 0.3,
            naloxone_by_bystander=rng.choice([True, False, None]),
            substance_groups=rng.choice([None, ["opioid"], ["opioid", "stimulant"]]),
            reached_within_24h=rng.choice([True, False, None]),
        )
        for _ in range(size)
    ]
    year = year_of(facts)
    hidden = hidden_cells(year)
    counts = count_cube(2026, facts)
    assert all(counts[cell] > 0 for cell in hidden)
    assert all(counts[cell] >= 5 or counts[cell] == 0 for cell in year.shown if cell not in hidden)
    assert determined_cells(relations_of_year(2026), hidden) == []


@pytest.mark.parametrize(
    ("persons", "events", "shown"),
    [(5, 7, 5), (4, 7, None), (6, 3, None)],
)
def test_distinct_persons_only_for_five_or_more_beside_shown_events(
    persons: int, events: int, shown: int | None
) -> None:
    year = year_of([fact("2026-05") for _ in range(events)], persons={"2026-05": persons})
    assert year.period(Period.parse("2026-05")).persons == shown


@pytest.mark.parametrize(
    ("yes", "no", "unknown", "expected"),
    [
        (6, 4, 0, None),
        (6, 5, 0, 6 / 11),
        (5, 5, 6, 0.5),
        (5, 5, 3, None),  # the unknown 3 hides a second cell, the 5 yes
        (4, 6, 0, None),
        (10, 0, 0, None),
    ],
)
def test_a_share_needs_five_in_its_numerator_and_in_the_rest(
    yes: int, no: int, unknown: int, expected: float | None
) -> None:
    facts = [fact("2026-06", reached_within_24h=True) for _ in range(yes)]
    facts += [fact("2026-06", reached_within_24h=False) for _ in range(no)]
    facts += [fact("2026-06", reached_within_24h=None) for _ in range(unknown)]
    year = year_of(facts)
    assert year.period(Period.parse("2026-06")).shares["reached_within_24h"] == expected


@pytest.mark.parametrize(
    ("minutes", "expected"), [([4, 6, 8, 10], None), ([4, 6, 8, 10, 30], 8.0), ([], None)]
)
def test_the_median_time_to_acknowledge_needs_five(
    minutes: list[int], expected: float | None
) -> None:
    facts = [fact("2026-04", minutes_to_acknowledge=m) for m in minutes]
    facts += [fact("2026-04", minutes_to_acknowledge=None) for _ in range(5)]
    assert year_of(facts).period(Period.parse("2026-04")).median_minutes_to_acknowledge == (
        expected
    )


@pytest.mark.parametrize(
    ("text", "key", "months"),
    [
        ("2026-11", "2026-11", 1),
        ("2026-H1", "2026-H1", 6),
        ("2026-H2", "2026-H2", 6),
        ("2026", "2026", 12),
    ],
)
def test_periods(text: str, key: str, months: int) -> None:
    period = Period.parse(text)
    assert (period.key, len(period.months)) == (key, months)


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-H3", "26", "2026-1", "2026-h1", "0000", "1999-12", "2100"]
)
def test_odd_periods_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(text)
