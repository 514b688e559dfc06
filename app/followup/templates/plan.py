"""From a template and the facts of an alert to the steps of a new case (pure).

Conditions are read as booleans from the alert's personal values; a fact the alert does not
give (or that consent left out) does not hold. The case keeps only the booleans. A step whose
condition does not hold is still copied, as `not_applicable`, so staff who learn otherwise
(children met at the visit) reopen it rather than add it by hand.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.followup import deadlines
from app.followup.state import StepState, is_active
from app.followup.template_schema import Condition, FollowupTemplate, OwnerRole, StepTemplate

MINOR_AGE_BANDS = frozenset({"under_12", "12_15", "16_17"})
"""Age bands (app.overdose.enums.AgeBand) under 18."""
UNDER_16_AGE_BANDS = frozenset({"under_12", "12_15"})
"""Age bands under 16, where the parents consent (app.consent.minors)."""

CONDITION_NOT_MET = "Gjelder ikke: vilkåret var ikke oppfylt da saken ble åpnet"
"""The outcome of a step left out by its condition."""


def evaluate_conditions(
    personal: Mapping[str, Any],
    *,
    age_band: str | None,
    inform_person_required: bool,
    open_inform_duty: bool,
) -> dict[Condition, bool]:
    """Every condition of the vocabulary, from the alert's personal values (path -> value)."""

    def said(path: str) -> bool:
        return personal.get(path) is True

    return {
        Condition.RELATIVES_KNOWN: said("scene.relative_present")
        or said("scene.relative_called_113"),
        Condition.SHARED_WITHOUT_CONSENT: inform_person_required or open_inform_duty,
        Condition.HOMELESS: said("person.homeless"),
        Condition.CHILDREN_IN_HOUSEHOLD: said("person.children_in_household"),
        Condition.OTHERS_PRESENT: said("scene.others_present"),
        Condition.MINOR: age_band in MINOR_AGE_BANDS,
        Condition.UNDER_16: age_band in UNDER_16_AGE_BANDS,
        Condition.AGED_16_17: age_band == "16_17",
    }


@dataclass(frozen=True, slots=True)
class RoleHolders:
    """Who holds each role when the case opens (member ids)."""

    leader: uuid.UUID | None
    taker: uuid.UUID | None

    def holder(self, role: OwnerRole) -> uuid.UUID | None:
        """The member a role falls to: `taker` falls back on the leader (the fallback number
        took the alert); `team` is nobody until the leader assigns someone."""
        if role is OwnerRole.LEADER:
            return self.leader
        if role is OwnerRole.TAKER:
            return self.taker or self.leader
        return None


@dataclass(frozen=True, slots=True)
class PlannedStep:
    position: int
    template: StepTemplate
    owner_member_id: uuid.UUID | None
    companion_member_id: uuid.UUID | None
    state: StepState
    active: bool
    deadline: datetime
    remind_at: datetime | None
    remind_before: timedelta
    due_at_once: bool = False
    """The template's deadline fell before the first responsible person was told."""

    @property
    def next_due_at(self) -> datetime | None:
        if not self.active:
            return None
        return deadlines.next_due_at(deadlines.Timer(self.deadline, self.remind_at))


def remind_before(template: FollowupTemplate, step: StepTemplate) -> timedelta:
    hours = step.remind_before_hours or template.remind_before_hours
    return timedelta(hours=hours)


def plan_steps(
    template: FollowupTemplate,
    conditions: Mapping[Condition, bool],
    *,
    people: RoleHolders,
    alert_at: datetime,
    opened_at: datetime,
    told_at: datetime | None = None,
    first_position: int = 0,
) -> list[PlannedStep]:
    """The steps of a case opened at `opened_at` for an overdose at `alert_at`, whose first
    responsible person was told at `told_at` (None: when the case opened), numbered from
    `first_position` (steps added after the template's own)."""
    planned: list[PlannedStep] = []
    min_lead = timedelta(hours=template.min_lead_hours)
    for position, step in enumerate(template.steps, start=first_position):
        applies = step.condition is None or conditions.get(step.condition, False)
        state = StepState.OPEN if applies else StepState.NOT_APPLICABLE
        active = is_active(state, not_reached_resolves=step.not_reached_resolves)
        due = deadlines.planned_deadline(
            alert_at,
            offset_hours=step.offset_hours,
            told_at=opened_at if told_at is None else told_at,
            opened_at=opened_at,
            min_lead=min_lead,
        )
        deadline = due.at
        lead = remind_before(template, step)
        owner = people.holder(step.owner)
        companion = people.holder(step.companion) if step.companion is not None else None
        planned.append(
            PlannedStep(
                position=position,
                template=step,
                owner_member_id=owner,
                companion_member_id=None if companion == owner else companion,
                state=state,
                active=active,
                deadline=deadline,
                remind_at=deadlines.remind_at(deadline, remind_before=lead, now=opened_at)
                if active
                else None,
                remind_before=lead,
                due_at_once=due.due_at_once,
            )
        )
    return planned
