"""The state machine of steps and cases (pure, table-tested).

A step is `open` until someone records it `done`, `not_reached` or `not_applicable`. Not
reached keeps the step active with a next attempt (a new deadline), unless the template says
a failed attempt resolves it (a planned SMS nobody answered: the plan's next contact follows).
A resolved step can be reopened (a mistake, or children learnt of at the visit); recording
over a resolved step without reopening it is refused, so nothing is overwritten unseen.

A case is `open` until every required step is resolved (`closed`), or the leader closes it
early with a reason (`closed_early`). Nothing changes on a closed case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class StepState(StrEnum):
    OPEN = "open"
    DONE = "done"
    NOT_REACHED = "not_reached"
    NOT_APPLICABLE = "not_applicable"


class StepAction(StrEnum):
    DONE = "done"
    NOT_REACHED = "not_reached"
    NOT_APPLICABLE = "not_applicable"
    REOPEN = "reopen"


class CaseState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    """Every required step was resolved."""
    CLOSED_EARLY = "closed_early"
    """The leader closed it before that, with a reason."""


class CaseAction(StrEnum):
    RECORD_STEP = "record_step"
    ASSIGN = "assign"
    """Reassign the case, or one step's owner or companion."""
    CLOSE = "close"
    """Every required step is resolved (done by the service, not asked for)."""
    CLOSE_EARLY = "close_early"


class IllegalTransition(Exception):
    """The action is not allowed in this state; `reason` says why, for the person acting."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


STEP_TRANSITIONS: Mapping[tuple[StepState, StepAction], StepState] = MappingProxyType(
    {
        (StepState.OPEN, StepAction.DONE): StepState.DONE,
        (StepState.OPEN, StepAction.NOT_REACHED): StepState.NOT_REACHED,
        (StepState.OPEN, StepAction.NOT_APPLICABLE): StepState.NOT_APPLICABLE,
        (StepState.NOT_REACHED, StepAction.DONE): StepState.DONE,
        (StepState.NOT_REACHED, StepAction.NOT_REACHED): StepState.NOT_REACHED,
        (StepState.NOT_REACHED, StepAction.NOT_APPLICABLE): StepState.NOT_APPLICABLE,
        (StepState.NOT_REACHED, StepAction.REOPEN): StepState.OPEN,
        (StepState.DONE, StepAction.REOPEN): StepState.OPEN,
        (StepState.NOT_APPLICABLE, StepAction.REOPEN): StepState.OPEN,
    }
)
"""Every legal (state, action) of a step and the state it leads to; the rest are refused."""

_REFUSALS: Mapping[tuple[StepState, StepAction], str] = MappingProxyType(
    {
        (StepState.OPEN, StepAction.REOPEN): "the step is open already",
        (StepState.DONE, StepAction.DONE): "the step is done already; reopen it to record again",
        (StepState.DONE, StepAction.NOT_REACHED): "the step is done; reopen it first",
        (StepState.DONE, StepAction.NOT_APPLICABLE): "the step is done; reopen it first",
        (StepState.NOT_APPLICABLE, StepAction.DONE): "the step is not applicable; reopen it first",
        (StepState.NOT_APPLICABLE, StepAction.NOT_REACHED): (
            "the step is not applicable; reopen it first"
        ),
        (StepState.NOT_APPLICABLE, StepAction.NOT_APPLICABLE): (
            "the step is not applicable already"
        ),
    }
)


@dataclass(frozen=True, slots=True)
class StepStatus:
    state: StepState
    active: bool
    """A deadline runs (reminders, overdue); False: the step is resolved."""


def is_active(state: StepState, *, not_reached_resolves: bool) -> bool:
    """Whether a step in `state` still has a deadline running (is unresolved)."""
    if state is StepState.OPEN:
        return True
    return state is StepState.NOT_REACHED and not not_reached_resolves


def step_after(
    state: StepState, action: StepAction, *, not_reached_resolves: bool = False
) -> StepStatus:
    """What `action` makes of a step in `state`; IllegalTransition if it is not allowed."""
    following = STEP_TRANSITIONS.get((state, action))
    if following is None:
        raise IllegalTransition(_REFUSALS[(state, action)])
    return StepStatus(following, is_active(following, not_reached_resolves=not_reached_resolves))


CASE_TRANSITIONS: Mapping[tuple[CaseState, CaseAction], CaseState] = MappingProxyType(
    {
        (CaseState.OPEN, CaseAction.RECORD_STEP): CaseState.OPEN,
        (CaseState.OPEN, CaseAction.ASSIGN): CaseState.OPEN,
        (CaseState.OPEN, CaseAction.CLOSE): CaseState.CLOSED,
        (CaseState.OPEN, CaseAction.CLOSE_EARLY): CaseState.CLOSED_EARLY,
    }
)
"""Every legal (state, action) of a case; nothing is legal on a closed case."""


def case_after(state: CaseState, action: CaseAction, *, unresolved_required: int = 0) -> CaseState:
    """What `action` makes of a case in `state`; IllegalTransition if it is not allowed.

    `unresolved_required`: how many required steps are still active (CLOSE needs none).
    """
    following = CASE_TRANSITIONS.get((state, action))
    if following is None:
        raise IllegalTransition(f"the case is {state.value.replace('_', ' ')}: nothing changes")
    if action is CaseAction.CLOSE and unresolved_required:
        raise IllegalTransition(f"{unresolved_required} required step(s) are not resolved")
    return following


def unresolved_required(steps: Iterable[tuple[bool, bool]]) -> int:
    """How many of (required, active) steps keep the case open."""
    return sum(1 for required, active in steps if required and active)
