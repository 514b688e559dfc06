"""The serious-event report's question (pure): may the death follow from the service?

A template step may ask a question (`Question`, the template's `asks`). The serious-event
report step of the fatal template asks whether the death may follow from the service (LAR,
staffed housing, other municipal health and care services). Recording it done needs the
answer (`yes`, `no`, `unknown`); when the answer is `yes`, the duty to notify Helsetilsynet at
once applies (spesialisthelsetjenesteloven § 3-3 a for the specialist health service, LAR
included; helse- og omsorgstjenesteloven § 12-3 a for the municipal service), and the record
says whether that was done. docs/rules.md, "The serious-event report".
"""

from __future__ import annotations

from enum import StrEnum


class Question(StrEnum):
    """What a step asks when it is recorded done."""

    SERVICE_RELATED_DEATH = "service_related_death"
    """May the death follow from the service (LAR, staffed housing, other services)?"""


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


DUTY = (
    "Varsle Statens helsetilsyn straks om alvorlig hendelse "
    "(spesialisthelsetjenesteloven § 3-3 a / helse- og omsorgstjenesteloven § 12-3 a)."
)
"""The duty, as the case names it to staff (Norwegian words for staff)."""


def duty_applies(answer: Answer | None) -> bool:
    """The duty to notify Helsetilsynet at once: only when the death may follow from the
    service. `unknown` does not decide it: the leader finds out and reopens the step."""
    return answer is Answer.YES


def record_problems(
    question: Question | None,
    *,
    done: bool,
    answer: Answer | None,
    notified: bool | None,
) -> list[tuple[str, str]]:
    """What is wrong with the answer recorded on a step (field, reason); [] when it fits.

    A step that asks needs the answer when it is recorded done; `helsetilsynet_notified` is
    needed when the answer is `yes` and given only then. A step that asks nothing takes
    neither; nor does an action other than `done`."""
    if question is None or not done:
        return [
            (field, "only when recording done a step that asks it")
            for field, value in (("answer", answer), ("helsetilsynet_notified", notified))
            if value is not None
        ]
    problems = []
    if answer is None:
        problems.append(("answer", "may the death follow from the service: yes, no or unknown"))
    if duty_applies(answer) and notified is None:
        problems.append(
            ("helsetilsynet_notified", "the answer is yes: say whether Helsetilsynet was notified")
        )
    if not duty_applies(answer) and notified is not None:
        problems.append(("helsetilsynet_notified", "only when the answer is yes"))
    return problems
