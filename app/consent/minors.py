"""Who consents for a person under 16 (pure; docs/rules.md, "Minors").

Below the health age of majority (pasient- og brukerrettighetsloven § 4-3: 16 years) the
parents, or others with parental responsibility, consent (pbrl § 4-4) and are told (§ 3-4).
A consent recorded from the child alone is therefore no consent for sharing beyond what
helsepersonelloven § 25 allows without one: it counts as `not_asked`. From 16 the person
consents themselves, and a parent's consent for them is not theirs: it counts as `not_asked`
too. A refusal counts whoever gave it (the most protective reading), and without an age band
the consent counts as the crew recorded it: they saw the person.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.consent.enums import ConsentGiver, ConsentState
from app.overdose.enums import AgeBand

UNDER_16: frozenset[AgeBand] = frozenset({AgeBand.UNDER_12, AgeBand.AGED_12_15})
"""Below the health age of majority (pbrl § 4-3): the parents consent and are told."""


@dataclass(frozen=True, slots=True)
class MinorConsent:
    state: ConsentState
    """The consent that counts for disclosure."""
    not_counted: bool
    """The recorded consent was given by someone who cannot give it for this person."""
    parents_step: bool
    """The parents are to be informed and involved: a follow-up step (pbrl § 3-4)."""


def parents_consent(age_band: AgeBand | None) -> bool:
    """Whether the parents (or others with parental responsibility) consent for this person."""
    return age_band in UNDER_16


def effective_consent(
    recorded: ConsentState, given_by: ConsentGiver | None, age_band: AgeBand | None
) -> MinorConsent:
    """The consent that counts, from the recorded one, who gave it and the age band.

    A consent whose giver is not said counts as the person's own: under 16 that is the
    child's, so it does not count.
    """
    under_16 = parents_consent(age_band)
    if recorded is not ConsentState.CONSENTED or age_band is None:
        return MinorConsent(recorded, not_counted=False, parents_step=under_16)
    from_parent = given_by is ConsentGiver.PARENT_OR_GUARDIAN
    if from_parent != under_16:
        return MinorConsent(ConsentState.NOT_ASKED, not_counted=True, parents_step=under_16)
    return MinorConsent(recorded, not_counted=False, parents_step=under_16)
