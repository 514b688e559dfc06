"""Escalation policies: sequencing, timing, failures, recipients and roster holes
(docs/rules.md, "Escalation and acknowledgement")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.escalation.policy.rules import (
    DEFAULT_POLICY,
    Exhausted,
    Next,
    NextStep,
    Policy,
    Position,
    Recipients,
    Step,
    StepTarget,
    TargetKind,
    TeamView,
    after,
    after_failure,
    first_step,
    is_late,
    recipients_at,
    recipients_for,
    step_at,
)

T0 = datetime(2026, 11, 23, 0, 41, tzinfo=UTC)
FALLBACK = "+4791234567"
OSLO = ZoneInfo("Europe/Oslo")

ON_DUTY = StepTarget(TargetKind.ON_DUTY)
LEADER = StepTarget(TargetKind.LEADER)
TEAM = StepTarget(TargetKind.TEAM)
TO_FALLBACK = StepTarget(TargetKind.FALLBACK)


def members(*ids: str) -> StepTarget:
    return StepTarget(TargetKind.MEMBERS, ids)


def three_steps(repeat: int, fallback: str | None = None) -> Policy:
    return Policy(
        steps=(Step((ON_DUTY,), 5), Step((ON_DUTY, LEADER), 5), Step((TEAM,), 10)),
        repeat=repeat,
        fallback_number=fallback,
    )


def at(n: int) -> datetime:
    """n minutes after T0."""
    return T0 + timedelta(minutes=n)


def walk(policy: Policy) -> list[Next]:
    """Run every step exactly when it falls due, and record what `after` says each time."""
    position, at = first_step(policy), T0
    seen: list[Next] = []
    while True:
        nxt = after(policy, position, notified_at=at)
        seen.append(nxt)
        if isinstance(nxt, Exhausted):
            return seen
        position, at = nxt.position, nxt.due_at


def P(pass_index: int, step_index: int) -> Position:
    return Position(pass_index, step_index)


SEQUENCES = [
    (
        "three steps, repeat 0: one pass, exhausted after the last step's 10 minutes",
        three_steps(0),
        [
            NextStep(P(0, 1), at(5)),
            NextStep(P(0, 2), at(10)),
            Exhausted(at(20), False),
        ],
    ),
    (
        "three steps, repeat 2: three passes of 20 minutes",
        three_steps(2, FALLBACK),
        [
            NextStep(P(0, 1), at(5)),
            NextStep(P(0, 2), at(10)),
            NextStep(P(1, 0), at(20)),
            NextStep(P(1, 1), at(25)),
            NextStep(P(1, 2), at(30)),
            NextStep(P(2, 0), at(40)),
            NextStep(P(2, 1), at(45)),
            NextStep(P(2, 2), at(50)),
            Exhausted(at(60), True),
        ],
    ),
    (
        "one step, repeat 0",
        Policy(steps=(Step((TEAM,), 7),)),
        [Exhausted(at(7), False)],
    ),
    (
        "one step, repeat 1",
        Policy(steps=(Step((TEAM,), 7),), repeat=1),
        [NextStep(P(1, 0), at(7)), Exhausted(at(14), False)],
    ),
    (
        "the default policy: 5 + 5 + 10 minutes, twice",
        DEFAULT_POLICY,
        [
            NextStep(P(0, 1), at(5)),
            NextStep(P(0, 2), at(10)),
            NextStep(P(1, 0), at(20)),
            NextStep(P(1, 1), at(25)),
            NextStep(P(1, 2), at(30)),
            Exhausted(at(40), False),
        ],
    ),
]


@pytest.mark.parametrize(("why", "policy", "expected"), SEQUENCES, ids=[s[0] for s in SEQUENCES])
def test_steps_follow_in_order_across_passes(
    why: str, policy: Policy, expected: list[Next]
) -> None:
    assert walk(policy) == expected


def test_every_escalation_starts_at_the_first_step_of_the_first_pass() -> None:
    assert first_step(three_steps(2)) == Position(pass_index=0, step_index=0)


AFTER = [
    # why, policy, position, notified at, expected
    ("sent late: wait from sending", three_steps(0), P(0, 1), at(7), NextStep(P(0, 2), at(12))),
    ("end of the first pass wraps", three_steps(1), P(0, 2), at(10), NextStep(P(1, 0), at(20))),
    ("end of the last pass exhausts", three_steps(1), P(1, 2), at(30), Exhausted(at(40), False)),
    ("fallback paged", three_steps(0, FALLBACK), P(0, 2), at(10), Exhausted(at(20), True)),
    # 02:58 summer time is 00:58 UTC; five real minutes later, not five wall-clock minutes.
    (
        "October DST change", three_steps(0), P(0, 0),
        datetime(2026, 10, 25, 2, 58, tzinfo=OSLO),
        NextStep(P(0, 1), datetime(2026, 10, 25, 1, 3, tzinfo=UTC)),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("why", "policy", "position", "notified_at", "expected"), AFTER)
def test_after_gives_the_next_step_and_its_due_time(
    why: str, policy: Policy, position: Position, notified_at: datetime, expected: Next
) -> None:
    result = after(policy, position, notified_at=notified_at)
    assert result == expected, why
    due = result.due_at if isinstance(result, NextStep) else result.at
    assert due.utcoffset() == timedelta(0)


def test_exhaustion_always_tells_the_leader() -> None:
    result = after(three_steps(0), P(0, 2), notified_at=T0)
    assert isinstance(result, Exhausted)
    assert result.tell_leader is True


FAILURES = [
    # why, policy, failed position, expected; the SMS failed at minute 2
    ("first step: the second is due now", three_steps(0), P(0, 0), NextStep(P(0, 1), at(2))),
    ("end of a pass: next pass due now", three_steps(1), P(0, 2), NextStep(P(1, 0), at(2))),
    ("very last step: exhausted now", three_steps(1, FALLBACK), P(1, 2), Exhausted(at(2), True)),
    ("one step", Policy(steps=(Step((TEAM,), 30),)), P(0, 0), Exhausted(at(2), False)),
]  # fmt: skip


@pytest.mark.parametrize(("why", "policy", "position", "expected"), FAILURES)
def test_a_delivery_failure_escalates_at_once(
    why: str, policy: Policy, position: Position, expected: Next
) -> None:
    assert after_failure(policy, position, failed_at=at(2)) == expected, why


@pytest.mark.parametrize("position", [P(1, 0), P(0, 3), P(-1, 0), P(0, -1)])
def test_positions_outside_the_policy_are_refused(position: Position) -> None:
    policy = three_steps(0)
    for call in (
        lambda: after(policy, position, notified_at=T0),
        lambda: after_failure(policy, position, failed_at=T0),
        lambda: step_at(policy, position),
    ):
        with pytest.raises(ValueError, match="outside the policy"):
            call()


DAY = timedelta(hours=24)
LATE = [
    ("just now", T0, False),
    ("an hour ago", T0 - timedelta(hours=1), False),
    ("exactly the window ago", T0 - DAY, False),
    ("a minute past the window", T0 - DAY - timedelta(minutes=1), True),
    ("a week ago, in Oslo time", (T0 - timedelta(days=7)).astimezone(OSLO), True),
    ("in the future", T0 + timedelta(hours=1), False),
    ("9999-12-31", datetime(9999, 12, 31, 23, 59, tzinfo=UTC), False),
    ("year 1", datetime(1, 1, 1, 0, 30, tzinfo=OSLO), True),
]


@pytest.mark.parametrize(("occurred_at", "late"), [c[1:] for c in LATE], ids=[c[0] for c in LATE])
def test_an_alert_is_late_past_the_paging_window(occurred_at: datetime, late: bool) -> None:
    assert is_late(occurred_at, now=T0, window=DAY) is late


def test_a_window_reaching_before_year_one_makes_nothing_late() -> None:
    ancient = datetime(1, 1, 2, tzinfo=UTC)
    assert not is_late(datetime(1, 1, 1, tzinfo=UTC), now=ancient, window=timedelta(days=3))


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 11, 23, 0, 41)
    with pytest.raises(ValueError, match="timezone-aware"):
        after(DEFAULT_POLICY, P(0, 0), notified_at=naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        after_failure(DEFAULT_POLICY, P(0, 0), failed_at=naive)


INVALID: list[tuple[Callable[[], object], str]] = [
    (lambda: Policy(steps=()), "at least one step"),
    (lambda: Policy(steps=(Step((TEAM,), 5),), repeat=-1), "between 0 and 10"),
    (lambda: Policy(steps=(Step((TEAM,), 5),), repeat=11), "between 0 and 10"),
    (lambda: Step(targets=(), delay_minutes=5), "at least one target"),
    (lambda: Step(targets=(TEAM,), delay_minutes=0), "at least 1 minute"),
    (lambda: StepTarget(TargetKind.MEMBERS), "at least one member id"),
    (lambda: StepTarget(TargetKind.ON_DUTY, ("a",)), "on_duty target takes no member ids"),
    (lambda: Policy(steps=(Step((TO_FALLBACK,), 5),)), "the policy has none"),
    (lambda: Policy(steps=(Step((TEAM,), 5),), fallback_number="91234567"), "E.164"),
    (lambda: Policy(steps=(Step((TEAM,), 5),), fallback_number="+4712"), "not a valid phone"),
]


@pytest.mark.parametrize(("build", "message"), INVALID)
def test_invalid_policies_are_refused(build: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_repeat_ten_and_one_minute_steps_are_allowed() -> None:
    policy = Policy(steps=(Step((TEAM,), 1),), repeat=10, fallback_number=FALLBACK)
    assert walk(policy)[-1] == Exhausted(at(11), True)


FULL = TeamView(on_duty=("ann", "bo"), members=("ann", "bo", "cato", "dina"), leader_id="lea")
HOLE = TeamView(on_duty=(), members=("ann", "bo"), leader_id="lea")
NO_LEADER = TeamView(on_duty=(), members=("ann", "bo"), leader_id=None)
EMPTY = TeamView(on_duty=(), members=(), leader_id=None)
# A substitute from another team covers the shift: on duty without being a member.
SUBSTITUTE = TeamView(on_duty=("sub",), members=("ann",), leader_id="lea")


def R(
    ids: tuple[str, ...],
    fallback: str | None = None,
    *,
    hole: bool = False,
    nobody: bool = False,
    unknown: tuple[str, ...] = (),
) -> Recipients:
    return Recipients(ids, fallback, roster_hole=hole, nobody=nobody, unknown_member_ids=unknown)


RECIPIENTS = [
    # why, targets, team, the policy's fallback number, expected
    ("on duty", (ON_DUTY,), FULL, None, R(("ann", "bo"))),
    ("named, in order", (members("cato", "ann"),), FULL, None, R(("cato", "ann"))),
    ("leader", (LEADER,), FULL, None, R(("lea",))),
    ("team", (TEAM,), FULL, None, R(("ann", "bo", "cato", "dina"))),
    ("fallback", (TO_FALLBACK,), FULL, FALLBACK, R((), FALLBACK)),
    ("on duty + leader", (ON_DUTY, LEADER), FULL, None, R(("ann", "bo", "lea"))),
    ("on duty + fallback", (ON_DUTY, TO_FALLBACK), FULL, FALLBACK, R(("ann", "bo"), FALLBACK)),
    # Overlaps are paged once, at their first mention.
    (
        "dedup", (members("dina", "dina", "bo"), ON_DUTY, TEAM, LEADER), FULL, None,
        R(("dina", "bo", "ann", "cato", "lea")),
    ),
    ("substitute on duty", (ON_DUTY,), SUBSTITUTE, None, R(("sub",))),
    ("leader named, not a member", (members("lea"),), SUBSTITUTE, None, R(("lea",))),
    # A named member who has left the team gets no link, and is reported.
    ("ex-member", (members("cato", "xav"),), FULL, None, R(("cato",), unknown=("xav",))),
    ("only ex-members: leader", (members("xav"),), FULL, None, R(("lea",), unknown=("xav",))),
    ("ex-members: fallback", (members("xav"),), FULL, FALLBACK, R((), FALLBACK, unknown=("xav",))),
    # Roster holes: the fallback number at once, else the leader; the leader is told either way.
    ("hole, fallback", (ON_DUTY,), HOLE, FALLBACK, R((), FALLBACK, hole=True)),
    ("hole, no fallback: leader", (ON_DUTY,), HOLE, None, R(("lea",), hole=True)),
    ("hole, no fallback, no leader", (ON_DUTY,), NO_LEADER, None, R((), hole=True, nobody=True)),
    ("hole, no leader, fallback", (ON_DUTY,), NO_LEADER, FALLBACK, R((), FALLBACK, hole=True)),
    ("hole + leader", (ON_DUTY, LEADER), HOLE, FALLBACK, R(("lea",), FALLBACK, hole=True)),
    ("hole + leader, no fallback", (ON_DUTY, LEADER), HOLE, None, R(("lea",), hole=True)),
    ("hole + team", (ON_DUTY, TEAM), HOLE, FALLBACK, R(("ann", "bo"), FALLBACK, hole=True)),
    ("hole + team, no fallback", (ON_DUTY, TEAM), HOLE, None, R(("ann", "bo", "lea"), hole=True)),
    # A step that resolves to nobody is never silent.
    ("no leader: fallback", (LEADER,), NO_LEADER, FALLBACK, R((), FALLBACK)),
    ("no leader, no fallback", (LEADER,), NO_LEADER, None, R((), nobody=True)),
    ("empty team: leader", (TEAM,), TeamView((), (), "lea"), None, R(("lea",))),
    ("empty team, no leader", (TEAM, LEADER), EMPTY, None, R((), nobody=True)),
    ("fallback target, no number", (TO_FALLBACK,), FULL, None, R(("lea",))),
]  # fmt: skip


@pytest.mark.parametrize(
    ("why", "targets", "team", "fallback", "expected"), RECIPIENTS, ids=[r[0] for r in RECIPIENTS]
)
def test_recipients_for_resolves_every_target_kind(
    why: str,
    targets: tuple[StepTarget, ...],
    team: TeamView,
    fallback: str | None,
    expected: Recipients,
) -> None:
    assert recipients_for(Step(targets, 5), team, fallback) == expected


def test_recipients_at_uses_the_step_and_the_policys_fallback() -> None:
    policy = three_steps(1, FALLBACK)
    assert recipients_at(policy, P(1, 1), HOLE) == R(("lea",), FALLBACK, hole=True)
    assert recipients_at(policy, P(0, 2), HOLE) == R(("ann", "bo"))


def test_the_default_policy() -> None:
    assert (
        Policy(
            steps=(
                Step((StepTarget(TargetKind.ON_DUTY),), 5),
                Step((StepTarget(TargetKind.ON_DUTY), StepTarget(TargetKind.LEADER)), 5),
                Step((StepTarget(TargetKind.TEAM),), 10),
            ),
            repeat=1,
            fallback_number=None,
        )
        == DEFAULT_POLICY
    )


def test_target_kinds_keep_their_stored_values() -> None:
    assert [k.value for k in TargetKind] == ["on_duty", "members", "leader", "team", "fallback"]
