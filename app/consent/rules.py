"""Who may be told what about a person, and on which legal basis (docs/rules.md, "Consent and
who sees what").

A pure module: (consent, recipient, category of data) -> allowed + legal basis. The service
asks it before storing an alert (what no recipient may ever see is not kept), before showing
a recipient anything, and records the basis it returns with every disclosure.

What these rules never grant: the police (never by consent either: a consent given at an
overdose is rarely free, and people must dare to call 113), child welfare (hpl § 33),
relatives without consent (pbrl § 3-3, hpl § 23 nr. 1) and the municipal health service for
a pregnancy (hpl § 32). Those are manual decisions by a person, recorded with their basis and
reason (:mod:`app.decisions`). Minors (the age band) change who consents and who is told
(pbrl §§ 4-4, 3-4); that too is a person's judgement, not a cell of this table.
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
    HPL_26 = "hpl_26"
    """Hpl § 26: the organisation's own leadership, for internal control and quality."""
    HPL_23_2 = "hpl_23_2"
    """Hpl § 23 nr. 2: information given anonymously (it fits at least 4-5 persons)."""
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

HEALTH_PERSONNEL: frozenset[Recipient] = frozenset(
    {Recipient.ON_DUTY_HEALTH, Recipient.TEAM_LEADER}
)
"""Recipients who are health personnel (the leader triages as such)."""

_NAMED_BY_CONSENT: Mapping[Recipient, ConsentRecipient] = MappingProxyType(
    {
        Recipient.RELATIVES: ConsentRecipient.RELATIVES,
        Recipient.SOCIAL_SERVICES: ConsentRecipient.SOCIAL_SERVICES,
        Recipient.VOLUNTEERS: ConsentRecipient.VOLUNTEERS,
    }
)
"""Recipients outside the team: told only when a consent names them."""

_ALL = frozenset(DataCategory)

_NECESSARY_UNDER_HPL_25: Mapping[Recipient, frozenset[DataCategory]] = MappingProxyType(
    {
        # They assess and give the follow-up: who, how to reach them, where, the acute risk
        # (naloxone wears off before the opioid), what was taken, and who was there.
        Recipient.ON_DUTY_HEALTH: _ALL,
        # The leader triages the alert and decides the measures (procedure point 2).
        Recipient.TEAM_LEADER: _ALL,
        # Not health personnel, but going out as part of the care with those who are: enough
        # to find, reach and help the person safely. Not what was taken, not who called 113.
        Recipient.TEAM_COOPERATING: frozenset(
            {
                DataCategory.IDENTITY,
                DataCategory.CONTACT,
                DataCategory.PLACE,
                DataCategory.SITUATION,
                DataCategory.ACUTE_RISK,
            }
        ),
    }
)
"""Hpl § 25 allows only what is necessary for sound care, and only to cooperating personnel."""

_FOR_QUALITY_REVIEW = frozenset({DataCategory.ACUTE_RISK, DataCategory.SUBSTANCES})
"""Hpl § 26: the review needs what happened, not who it happened to."""

_ANONYMOUS = frozenset({DataCategory.ACUTE_RISK})
"""What an objected alert still tells the leader (hpl § 23 nr. 2): the outcome, and only that
field of the category (`app.alerts.anonymity`), where it fits at least five alerts of the
municipality in the year; with the age band under the same rule and the time rounded to the
hour (docs/rules.md, "Objected alerts: what is kept")."""

_NEVER_TO_NON_HEALTH = frozenset({DataCategory.BYSTANDERS})
"""Who called 113 is never shown to relatives or to staff who are not health personnel,
whatever the consent: it would tell who "reported" them."""


def decide(consent: ConsentContext, recipient: Recipient, category: DataCategory) -> Decision:
    """May `recipient` be given data of `category` about this person, and on which basis?"""
    if recipient is Recipient.POLICE:
        return DENIED
    if category in _NEVER_TO_NON_HEALTH and recipient not in HEALTH_PERSONNEL:
        return DENIED
    state = consent.state
    if state is ConsentState.OBJECTED:
        if recipient is Recipient.TEAM_LEADER and category in _ANONYMOUS:
            return Decision(allowed=True, basis=LegalBasis.HPL_23_2)
        return DENIED
    if state is ConsentState.CONSENTED:
        # A scoped consent is the person's own limit: outside it they have in effect objected,
        # so no exception fills the gap.
        if consent.categories is not None and category not in consent.categories:
            return DENIED
        if recipient is Recipient.QUALITY_REVIEW:
            return _quality_review(category)
        named = recipient in TEAM_RECIPIENTS or (
            recipient in _NAMED_BY_CONSENT and _NAMED_BY_CONSENT[recipient] in consent.recipients
        )
        return Decision(allowed=True, basis=LegalBasis.CONSENT) if named else DENIED
    if state is ConsentState.NOT_ASKED or state is ConsentState.UNABLE:
        if recipient is Recipient.QUALITY_REVIEW:
            return _quality_review(category)
        # Hpl § 25: "med mindre pasienten motsetter seg det" - nobody objected.
        if category in _NECESSARY_UNDER_HPL_25.get(recipient, frozenset()):
            return Decision(allowed=True, basis=LegalBasis.HPL_25)
        return DENIED
    assert_never(state)


def _quality_review(category: DataCategory) -> Decision:
    if category in _FOR_QUALITY_REVIEW:
        return Decision(allowed=True, basis=LegalBasis.HPL_26)
    return DENIED


def allowed_categories(consent: ConsentContext, recipient: Recipient) -> frozenset[DataCategory]:
    """The categories `recipient` may be given about this person."""
    return frozenset(c for c in DataCategory if decide(consent, recipient, c).allowed)


def kept_categories(consent: ConsentContext) -> frozenset[DataCategory]:
    """The categories some recipient may see: all others are dropped at intake."""
    return frozenset(c for r in Recipient for c in allowed_categories(consent, r))
