"""The anonymous fatal case of an objected fatal alert (docs/rules.md, "Objected fatal
alerts: the anonymous case").

Pure. The person objected, so nobody may be named and no relative contacted; what may still
be done needs no identity: the leader's review, the serious-event report, and outreach to
peers in the milieu, who are at risk themselves. Of a fatal template that is every step the
leader owns with no condition (the conditions read facts about the person, which an objected
alert does not keep), and every step for those present (`others_present`), which becomes
outreach to the milieu without a condition. Steps for the bereaved or children are left out.
"""

from __future__ import annotations

from app.followup.template_schema import Condition, FollowupTemplate, OwnerRole, StepTemplate

PEERS = Condition.OTHERS_PRESENT


def needs_no_identity(step: StepTemplate) -> bool:
    """Whether the step can be done without knowing who died."""
    if step.condition is PEERS:
        return True
    return step.condition is None and step.owner is OwnerRole.LEADER


def anonymous_template(template: FollowupTemplate) -> FollowupTemplate:
    """The template with only the steps that need no identity, none of them conditional."""
    steps = [
        step.model_copy(update={"condition": None})
        for step in template.steps
        if needs_no_identity(step)
    ]
    return template.model_copy(update={"steps": steps})
