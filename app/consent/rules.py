"""Who may be told what about a person, and on which legal basis (BRIEF §4).

A pure module: (consent, recipient, category of data) -> allowed + legal basis. The service
asks it before storing an alert, before showing a recipient anything, and records the basis
it returns with every disclosure.

What these rules never grant: disclosure to the police. Police are told only when a consent
names them. Other disclosures to the police (hpl § 31, to avert serious harm; hpl § 23 nr. 4)
and notices to child welfare (hpl § 33) are manual decisions by a person, recorded with
their own reason. They are not made here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import assert_never

from app.consent.enums import ConsentRecipient, ConsentState, DataCategory, Recipient


class LegalBasis(StrEnum):
    CONSENT = "consent"
    HPL_25 = "hpl_25"
    """Helsepersonelloven § 25: necessary information to cooperating personnel."""
    NONE = "none"


@dataclass(frozen=True, slots=True)
class ConsentContext:
    """What the person said about sharing.

    `recipients` and `categories` only count when the state is `consented`; `categories`
    None means all categories, an empty set means none.
    """

    state: ConsentState
    recipients: frozenset[ConsentRecipient] = frozenset()
    categories: frozenset[DataCategory] | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    basis: LegalBasis

    def __post_init__(self) -> None:
        # Every disclosure is recorded with its basis, so an allowed decision needs one.
        if self.allowed == (self.basis is LegalBasis.NONE):
            raise ValueError("basis must be none exactly when the decision is not allowed")


DENIED = Decision(allowed=False, basis=LegalBasis.NONE)

TEAM_RECIPIENTS: frozenset[Recipient] = frozenset(
    {Recipient.ON_DUTY_HEALTH, Recipient.TEAM_COOPERATING, Recipient.TEAM_LEADER}
)
"""The municipality's overdose team: the cooperating personnel of hpl § 25."""

_NAMED_BY_CONSENT: Mapping[Recipient, ConsentRecipient] = MappingProxyType(
    {
        Recipient.RELATIVES: ConsentRecipient.RELATIVES,
        Recipient.POLICE: ConsentRecipient.POLICE,
        Recipient.SOCIAL_SERVICES: ConsentRecipient.SOCIAL_SERVICES,
        Recipient.VOLUNTEERS: ConsentRecipient.VOLUNTEERS,
    }
)
"""Recipients outside the team: told only when a consent names them."""

_ALL = frozenset(DataCategory)

_NECESSARY_UNDER_HPL_25: Mapping[Recipient, frozenset[DataCategory]] = MappingProxyType(
    {
        # They assess and give the follow-up: who, how to reach them, where, what was taken,
        # naloxone and observation (naloxone wears off before the opioid), and the situation.
        Recipient.ON_DUTY_HEALTH: _ALL,
        # The leader assesses the event and decides the measures (procedure point 2).
        Recipient.TEAM_LEADER: _ALL,
        # Bound by the same confidentiality but not health personnel: enough to find, reach
        # and help the person; the clinical details are not necessary for their part.
        Recipient.TEAM_COOPERATING: frozenset(
            {
                DataCategory.IDENTITY,
                DataCategory.CONTACT,
                DataCategory.PLACE,
                DataCategory.SITUATION,
            }
        ),
    }
)
"""Hpl § 25 allows only what is necessary for sound care, and only to cooperating personnel."""


def decide(consent: ConsentContext, recipient: Recipient, category: DataCategory) -> Decision:
    """May `recipient` be given data of `category` about this person, and on which basis?"""
    state = consent.state
    if state is ConsentState.CONSENTED:
        # A scoped consent is the person's own limit: outside it they have in effect objected,
        # so hpl § 25 (which yields to an objection) does not fill the gap.
        in_scope = consent.categories is None or category in consent.categories
        named = recipient in TEAM_RECIPIENTS or (
            recipient in _NAMED_BY_CONSENT and _NAMED_BY_CONSENT[recipient] in consent.recipients
        )
        return Decision(allowed=True, basis=LegalBasis.CONSENT) if in_scope and named else DENIED
    if state is ConsentState.NOT_ASKED or state is ConsentState.UNABLE:
        # Hpl § 25: "med mindre pasienten motsetter seg det" - nobody objected.
        if category in _NECESSARY_UNDER_HPL_25.get(recipient, frozenset()):
            return Decision(allowed=True, basis=LegalBasis.HPL_25)
        return DENIED
    if state is ConsentState.OBJECTED:
        # The team gets an anonymous alert only, which carries no personal data.
        return DENIED
    assert_never(state)


def allowed_categories(consent: ConsentContext, recipient: Recipient) -> frozenset[DataCategory]:
    """The categories `recipient` may be given about this person."""
    return frozenset(c for c in DataCategory if decide(consent, recipient, c).allowed)
