"""Escalation policies: which step comes next, when, and whom a step pages (pure).

A policy is ordered steps, each paging some people and then waiting a number of minutes for
an acknowledgement; the whole list runs `repeat` more times, and then the policy is exhausted:
the fallback number and the leader are paged once more and escalation stops. The engine keeps
the `Position` it paged last and the due time this module returned as a row, and asks this
module what follows, when, and whom it reaches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Literal, TypeAlias

from app.norway.phone import InvalidPhoneNumber, to_e164

MAX_REPEAT = 10


class TargetKind(StrEnum):
    ON_DUTY = "on_duty"
    """Whoever the roster has on duty when the step runs."""
    MEMBERS = "members"
    """The named members."""
    LEADER = "leader"
    TEAM = "team"
    """Every member of the team."""
    FALLBACK = "fallback"
    """The policy's fallback number."""


@dataclass(frozen=True, slots=True)
class StepTarget:
    kind: TargetKind
    member_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind is TargetKind.MEMBERS and not self.member_ids:
            raise ValueError("a members target needs at least one member id")
        if self.kind is not TargetKind.MEMBERS and self.member_ids:
            raise ValueError(f"a {self.kind} target takes no member ids")


@dataclass(frozen=True, slots=True)
class Step:
    targets: tuple[StepTarget, ...]
    delay_minutes: int
    """How long to wait for an acknowledgement before the next step."""

    def __post_init__(self) -> None:
        if not self.targets:
            raise ValueError("a step needs at least one target")
        if self.delay_minutes < 1:
            raise ValueError("a step waits at least 1 minute")


@dataclass(frozen=True, slots=True)
class Policy:
    steps: tuple[Step, ...]
    repeat: int = 0
    """How many extra passes over all steps."""
    fallback_number: str | None = None
    """E.164."""

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("a policy needs at least one step")
        if not 0 <= self.repeat <= MAX_REPEAT:
            raise ValueError(f"repeat must be between 0 and {MAX_REPEAT}")
        if self.fallback_number is not None:
            try:
                canonical = to_e164(self.fallback_number)
            except InvalidPhoneNumber as exc:
                raise ValueError("the fallback number is not a valid phone number") from exc
            if canonical != self.fallback_number:
                raise ValueError("the fallback number must be stored in E.164 form")
        elif any(t.kind is TargetKind.FALLBACK for s in self.steps for t in s.targets):
            # Caught here, when the policy is saved, not at 3 a.m. when the step runs.
            raise ValueError("a step targets the fallback number, but the policy has none")


@dataclass(frozen=True, slots=True, order=True)
class Position:
    pass_index: int
    step_index: int


@dataclass(frozen=True, slots=True)
class NextStep:
    """Run the step at `position` at `due_at` (UTC) unless the alert is acknowledged first."""

    position: Position
    due_at: datetime


@dataclass(frozen=True, slots=True)
class Exhausted:
    """From `at` (UTC), page the fallback number (if any) and tell the leader, then stop."""

    at: datetime
    page_fallback: bool
    tell_leader: Literal[True] = True


Next: TypeAlias = NextStep | Exhausted


def first_step(policy: Policy) -> Position:
    """Where every escalation starts; it runs at once."""
    return Position(pass_index=0, step_index=0)


def step_at(policy: Policy, position: Position) -> Step:
    """The step at a position; ValueError if the position does not exist in this policy."""
    _check_position(policy, position)
    return policy.steps[position.step_index]


def after(policy: Policy, position: Position, *, notified_at: datetime) -> Next:
    """What follows the step at `position`, which paged its recipients at `notified_at`."""
    _require_aware(notified_at)
    # In UTC: adding minutes to a Europe/Oslo time is wall-clock arithmetic in Python and
    # would wait an hour too long across the October DST change.
    delay = timedelta(minutes=step_at(policy, position).delay_minutes)
    return _advance(policy, position, notified_at.astimezone(UTC) + delay)


def after_failure(policy: Policy, position: Position, *, failed_at: datetime) -> Next:
    """What follows when an SMS of the step failed: no point waiting, it is due now.

    The engine calls this for the first failed SMS of the step it paged last (a failed
    delivery report or a permanent send error), whoever else the step reached.
    """
    _require_aware(failed_at)
    _check_position(policy, position)
    return _advance(policy, position, failed_at.astimezone(UTC))


def is_late(occurred_at: datetime, *, now: datetime, window: timedelta) -> bool:
    """Did the overdose happen longer than `window` before `now`? Then paging the person on
    duty is pointless (a backlog after an outage, a night long past): tell the leader."""
    _require_aware(occurred_at)
    _require_aware(now)
    try:
        return occurred_at < now - window
    except OverflowError:  # `now - window` before year 1: nothing can be older
        return False


def _advance(policy: Policy, position: Position, due: datetime) -> Next:
    if position.step_index + 1 < len(policy.steps):
        return NextStep(Position(position.pass_index, position.step_index + 1), due)
    if position.pass_index < policy.repeat:
        return NextStep(Position(position.pass_index + 1, 0), due)
    return Exhausted(at=due, page_fallback=policy.fallback_number is not None)


def _check_position(policy: Policy, position: Position) -> None:
    if not (
        0 <= position.pass_index <= policy.repeat and 0 <= position.step_index < len(policy.steps)
    ):
        raise ValueError("the position is outside the policy")


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")


@dataclass(frozen=True, slots=True)
class TeamView:
    """What resolution needs to know of a team at the moment the step runs."""

    on_duty: tuple[str, ...]
    members: tuple[str, ...]
    leader_id: str | None


@dataclass(frozen=True, slots=True)
class Recipients:
    """Whom a step pages.

    `member_ids` get the alert, `fallback_number` gets the fallback text. `roster_hole`: the
    step targeted on_duty and nobody was on duty, so the leader must be told (the roster-hole
    text, saying whether the fallback number was paged; once per alert is enough). `nobody`: no one
    at all could be paged; the engine logs an error and moves to the next step at once.
    `unknown_member_ids`: named members no longer in the team, left out and worth a warning.
    """

    member_ids: tuple[str, ...]
    fallback_number: str | None
    roster_hole: bool = False
    nobody: bool = False
    unknown_member_ids: tuple[str, ...] = ()


def recipients_for(step: Step, team: TeamView, fallback_number: str | None) -> Recipients:
    """Resolve a step's targets against the team as it is now."""
    known = {*team.members, *team.on_duty, *((team.leader_id,) if team.leader_id else ())}
    paged: list[str] = []
    unknown: list[str] = []
    fallback: str | None = None
    roster_hole = False
    for target in step.targets:
        match target.kind:
            case TargetKind.ON_DUTY:
                paged.extend(team.on_duty)
                roster_hole = roster_hole or not team.on_duty
            case TargetKind.MEMBERS:
                # Someone removed from the team must not get a link to the alert's details.
                paged.extend(m for m in target.member_ids if m in known)
                unknown.extend(m for m in target.member_ids if m not in known)
            case TargetKind.LEADER:
                paged.extend((team.leader_id,) if team.leader_id else ())
            case TargetKind.TEAM:
                paged.extend(team.members)
            case TargetKind.FALLBACK:
                fallback = fallback_number

    # The hole is covered at once by the fallback number, or else by the leader; and a step
    # that reaches nobody falls back the same way, because an alert must never go silent.
    if roster_hole or (not paged and fallback is None):
        if fallback_number is not None:
            fallback = fallback_number
        elif team.leader_id:
            paged.append(team.leader_id)

    member_ids = tuple(dict.fromkeys(paged))
    return Recipients(
        member_ids=member_ids,
        fallback_number=fallback,
        roster_hole=roster_hole,
        nobody=not member_ids and fallback is None,
        unknown_member_ids=tuple(dict.fromkeys(unknown)),
    )


def recipients_at(policy: Policy, position: Position, team: TeamView) -> Recipients:
    """`recipients_for` the step at a position, with the policy's own fallback number."""
    return recipients_for(step_at(policy, position), team, policy.fallback_number)


DEFAULT_POLICY = Policy(
    steps=(
        Step(targets=(StepTarget(TargetKind.ON_DUTY),), delay_minutes=5),
        Step(
            targets=(StepTarget(TargetKind.ON_DUTY), StepTarget(TargetKind.LEADER)),
            delay_minutes=5,
        ),
        Step(targets=(StepTarget(TargetKind.TEAM),), delay_minutes=10),
    ),
    repeat=1,
)
"""On duty, then on duty and the leader, then the whole team; twice over, 40 minutes in all."""
