"""What a follow-up template is, validated (pure): steps with an owner, a deadline and a
condition from a small closed vocabulary.

Templates are data: the defaults are JSON files in the `templates` sub-package
(`templates.defaults`), and a municipality may store its own through the admin API. Both pass
through `FollowupTemplate`. This vocabulary stays at the package's top because cases, templates
and the repeated-overdose rule all read it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.followup.serious_event import Question
from app.strict import Boolean, Number

MAX_OFFSET_HOURS = 24 * 90
"""No step is planned later than 90 days after the alert."""
MAX_STEPS = 60


class TemplateKind(StrEnum):
    SURVIVOR = "survivor"
    """After a non-fatal overdose (docs/rules.md, "Follow-up templates")."""
    FATAL = "fatal"
    """After an overdose death: the bereaved, peers, children, a serious-event report."""


class OwnerRole(StrEnum):
    """Who a step falls to when the case opens; a person can be assigned later."""

    LEADER = "leader"
    """The team's leader."""
    TAKER = "taker"
    """Whoever took the alert (the leader when the fallback number took it)."""
    TEAM = "team"
    """Nobody yet: the leader assigns it (until then reminders go to the leader)."""


class Condition(StrEnum):
    """When a conditional step applies; read from the alert when the case opens."""

    RELATIVES_KNOWN = "relatives_known"
    """A relative was present or called 113."""
    SHARED_WITHOUT_CONSENT = "shared_without_consent"
    """Data was disclosed without consent: the person must be told (pbrl § 3-6)."""
    HOMELESS = "homeless"
    CHILDREN_IN_HOUSEHOLD = "children_in_household"
    OTHERS_PRESENT = "others_present"
    MINOR = "minor"
    """Under 18 by the alert's age band (parents' rights: pbrl §§ 3-4, 4-4)."""
    UNDER_16 = "under_16"
    """Under 16 by the alert's age band: the parents consent and are told (pbrl §§ 4-3,
    3-4; docs/rules.md, "Minors")."""
    AGED_16_17 = "aged_16_17"
    """16 or 17 by the alert's age band: they consent themselves; the parents are told only
    what parental responsibility needs (pbrl § 3-4 third paragraph)."""


class StepKind(StrEnum):
    TASK = "task"
    CALL = "call"
    SMS = "sms"
    VISIT = "visit"
    """Made by two staff: a visit needs a companion."""
    MEETING = "meeting"
    REPORT = "report"
    REVIEW = "review"


Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=120)]
Guidance = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Hours = Annotated[Number, Field(ge=0, le=MAX_OFFSET_HOURS)]


class AfterStep(BaseModel):
    """A deadline that follows another step: counted from when that step is recorded done
    (docs/rules.md, "Documentation as it happens"). Until then the step's `offset_hours`
    deadline stands."""

    model_config = ConfigDict(extra="forbid")

    step: Key = Field(description="The key of an earlier step of the template.")
    same_working_day: Boolean = Field(
        default=False,
        description="Due at the end of the working day on which that step was done (the "
        "municipality's working hours, short and closed days included); done outside working "
        "hours: the end of the next working day.",
    )
    hours: Hours | None = Field(default=None, description="Due this many hours after it.")

    @model_validator(mode="after")
    def _one_rule(self) -> Self:
        if self.same_working_day == (self.hours is not None):
            raise ValueError("give either same_working_day: true or hours")
        return self


class StepTemplate(BaseModel):
    """One step of the procedure."""

    model_config = ConfigDict(extra="forbid")

    key: Key = Field(description="Unique in the template; lower case, digits, `_`.")
    title: Title = Field(description="What to do, in Norwegian (staff see it; never sent by SMS).")
    guidance: Guidance | None = Field(default=None, description="How, in a few sentences.")
    kind: StepKind = StepKind.TASK
    owner: OwnerRole
    companion: OwnerRole | None = Field(
        default=None, description="A second person (visits are made two by two)."
    )
    offset_hours: Hours = Field(
        description="Deadline: hours after the overdose (0: at once, within the template's "
        "`min_lead_hours` after the case opens)."
    )
    after: AfterStep | None = Field(
        default=None,
        description="When this step's deadline follows another step's completion: from then "
        "on it is due as this says (`offset_hours` is the deadline until then).",
    )
    asks: Question | None = Field(
        default=None,
        description="A question recorded with `done`: `service_related_death` (may the death "
        "follow from the service; `yes` names the duty to notify Helsetilsynet at once).",
    )
    required: Boolean = Field(default=True, description="The case closes when these are resolved.")
    condition: Condition | None = Field(
        default=None, description="Applies only when this holds; otherwise not applicable."
    )
    remind_before_hours: Number | None = Field(
        default=None, gt=0, le=24 * 7, description="Overrides the template's reminder lead."
    )
    retry_hours: Number = Field(
        default=24, gt=0, le=24 * 14, description="Next attempt after `not_reached`, by default."
    )
    not_reached_resolves: Boolean = Field(
        default=False,
        description="`not_reached` resolves the step (a planned SMS without answer); otherwise "
        "the step stays active with a next attempt.",
    )

    @model_validator(mode="after")
    def _two_by_two(self) -> Self:
        if self.kind is StepKind.VISIT and self.companion is None:
            raise ValueError(f"step {self.key}: a visit is made by two: give a companion")
        same_person = self.companion is self.owner and self.owner is not OwnerRole.TEAM
        if same_person:
            raise ValueError(f"step {self.key}: the companion must be someone else than the owner")
        return self


class FollowupTemplate(BaseModel):
    """A municipality's procedure for one kind of case."""

    model_config = ConfigDict(extra="forbid")

    kind: TemplateKind
    name: Title
    remind_before_hours: Number = Field(
        default=2, gt=0, le=24 * 7, description="Owners are reminded this long before a deadline."
    )
    min_lead_hours: Number = Field(
        default=1,
        ge=0,
        le=48,
        description="No step falls due sooner than this after the case opens (an alert taken "
        "late still leaves time for its first steps).",
    )
    steps: list[StepTemplate] = Field(min_length=1, max_length=MAX_STEPS)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        seen: set[str] = set()
        for step in self.steps:
            if step.key in seen:
                raise ValueError(f"step keys must be unique: {step.key} occurs twice")
            if step.after is not None and step.after.step not in seen:
                raise ValueError(
                    f"step {step.key}: after.step must name an earlier step ({step.after.step})"
                )
            seen.add(step.key)
        if not any(s.required and s.condition is None for s in self.steps):
            raise ValueError("at least one step must be required on every case (no condition)")
        return self

    def step(self, key: str) -> StepTemplate | None:
        return next((s for s in self.steps if s.key == key), None)


def parse_template(data: Any) -> FollowupTemplate:
    """A template from parsed JSON (or YAML); raises pydantic's ValidationError."""
    return FollowupTemplate.model_validate(data)
