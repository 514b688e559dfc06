"""The follow-up state machine, as tables: every state × action of a step and of a case."""

from __future__ import annotations

import itertools

import pytest

from app.followup.state import (
    CASE_TRANSITIONS,
    STEP_TRANSITIONS,
    CaseAction,
    CaseState,
    IllegalTransition,
    StepAction,
    StepState,
    case_after,
    is_active,
    step_after,
    unresolved_required,
)

OPEN, D, NR, NA = StepState.OPEN, StepState.DONE, StepState.NOT_REACHED, StepState.NOT_APPLICABLE
ILLEGAL = None

# (state, action) -> the state after it, or ILLEGAL.
STEP_TABLE = {
    (OPEN, StepAction.DONE): D,
    (OPEN, StepAction.NOT_REACHED): NR,
    (OPEN, StepAction.NOT_APPLICABLE): NA,
    (OPEN, StepAction.REOPEN): ILLEGAL,
    (NR, StepAction.DONE): D,
    (NR, StepAction.NOT_REACHED): NR,
    (NR, StepAction.NOT_APPLICABLE): NA,
    (NR, StepAction.REOPEN): OPEN,
    (D, StepAction.DONE): ILLEGAL,
    (D, StepAction.NOT_REACHED): ILLEGAL,
    (D, StepAction.NOT_APPLICABLE): ILLEGAL,
    (D, StepAction.REOPEN): OPEN,
    (NA, StepAction.DONE): ILLEGAL,
    (NA, StepAction.NOT_REACHED): ILLEGAL,
    (NA, StepAction.NOT_APPLICABLE): ILLEGAL,
    (NA, StepAction.REOPEN): OPEN,
}


def test_the_table_covers_every_state_and_action() -> None:
    assert set(STEP_TABLE) == set(itertools.product(StepState, StepAction))
    assert dict(STEP_TRANSITIONS) == {k: v for k, v in STEP_TABLE.items() if v is not ILLEGAL}


@pytest.mark.parametrize(("state", "action"), list(STEP_TABLE))
@pytest.mark.parametrize("resolves", [False, True], ids=["retry", "resolves"])
def test_step_transitions(state: StepState, action: StepAction, resolves: bool) -> None:
    expected = STEP_TABLE[(state, action)]
    if expected is ILLEGAL:
        with pytest.raises(IllegalTransition) as refused:
            step_after(state, action, not_reached_resolves=resolves)
        assert refused.value.reason  # a reason the person acting can read
        return
    after = step_after(state, action, not_reached_resolves=resolves)
    assert after.state is expected
    assert after.active is is_active(expected, not_reached_resolves=resolves)


@pytest.mark.parametrize(
    ("state", "resolves", "active"),
    [
        (OPEN, False, True),
        (OPEN, True, True),
        (NR, False, True),  # not reached: a next attempt, the deadline runs
        (NR, True, False),  # a planned SMS nobody answered: resolved
        (D, False, False),
        (D, True, False),
        (NA, False, False),
        (NA, True, False),
    ],
)
def test_which_states_keep_a_deadline_running(
    state: StepState, resolves: bool, active: bool
) -> None:
    assert is_active(state, not_reached_resolves=resolves) is active


def test_refusals_say_what_to_do() -> None:
    with pytest.raises(IllegalTransition, match="reopen it"):
        step_after(D, StepAction.DONE)
    with pytest.raises(IllegalTransition, match="open already"):
        step_after(OPEN, StepAction.REOPEN)


CASE_TABLE = {
    (CaseState.OPEN, CaseAction.RECORD_STEP): CaseState.OPEN,
    (CaseState.OPEN, CaseAction.ASSIGN): CaseState.OPEN,
    (CaseState.OPEN, CaseAction.CLOSE): CaseState.CLOSED,
    (CaseState.OPEN, CaseAction.CLOSE_EARLY): CaseState.CLOSED_EARLY,
    **{
        (state, action): ILLEGAL
        for state in (CaseState.CLOSED, CaseState.CLOSED_EARLY)
        for action in CaseAction
    },
}


def test_the_case_table_covers_every_state_and_action() -> None:
    assert set(CASE_TABLE) == set(itertools.product(CaseState, CaseAction))
    assert dict(CASE_TRANSITIONS) == {k: v for k, v in CASE_TABLE.items() if v is not ILLEGAL}


@pytest.mark.parametrize(("state", "action"), list(CASE_TABLE))
def test_case_transitions(state: CaseState, action: CaseAction) -> None:
    expected = CASE_TABLE[(state, action)]
    if expected is ILLEGAL:
        with pytest.raises(IllegalTransition, match="closed"):
            case_after(state, action)
    else:
        assert case_after(state, action) is expected


def test_a_case_closes_only_when_every_required_step_is_resolved() -> None:
    with pytest.raises(IllegalTransition, match="2 required"):
        case_after(CaseState.OPEN, CaseAction.CLOSE, unresolved_required=2)
    # The leader may close early whatever is left.
    assert case_after(CaseState.OPEN, CaseAction.CLOSE_EARLY, unresolved_required=2) is (
        CaseState.CLOSED_EARLY
    )


@pytest.mark.parametrize(
    ("steps", "left"),
    [
        ([], 0),
        ([(True, False), (True, False)], 0),
        ([(True, True), (True, False)], 1),
        ([(False, True)], 0),  # an optional step still open does not keep the case open
        ([(True, True), (True, True), (False, True)], 2),
    ],
)
def test_unresolved_required(steps: list[tuple[bool, bool]], left: int) -> None:
    assert unresolved_required(steps) == left
