"""The vocabulary of consent: states, recipients and categories of data (docs/rules.md,
"Consent and who sees what")."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class ConsentState(StrEnum):
    CONSENTED = "consented"
    NOT_ASKED = "not_asked"
    UNABLE = "unable"
    OBJECTED = "objected"


class Recipient(StrEnum):
    ON_DUTY_HEALTH = "on_duty_health"
    """A team member who is health personnel (hpl § 3) and goes out as part of the care."""
    TEAM_COOPERATING = "team_cooperating"
    """A team member who is not health personnel, cooperating with the treating health
    personnel in the care itself, bound by the same confidentiality (hpl § 25)."""
    TEAM_LEADER = "team_leader"
    """The leader, triaging the alert and deciding the measures (hpl § 25)."""
    QUALITY_REVIEW = "quality_review"
    """The organisation's own leadership reviewing the case afterwards (hpl § 26)."""
    RELATIVES = "relatives"
    SOCIAL_SERVICES = "social_services"
    """NAV and other services under the Social Services Act: not health care."""
    VOLUNTEERS = "volunteers"
    POLICE = "police"
    """Never by these rules: only by a recorded manual decision (hpl § 31, § 23 nr. 4)."""


class ConsentRecipient(StrEnum):
    """Recipients outside the team that a consent can name. Not the police.

    docs/rules.md, "Consent and who sees what"."""

    RELATIVES = "relatives"
    SOCIAL_SERVICES = "social_services"
    VOLUNTEERS = "volunteers"


class DataCategory(StrEnum):
    IDENTITY = "identity"
    """National id, name, birth year, sex (the age band is kept apart, for the rules)."""
    CONTACT = "contact"
    PLACE = "place"
    """Where it happened and where the person is now."""
    SITUATION = "situation"
    """Housing, children in the household, the kind of place, others present."""
    ACUTE_RISK = "acute_risk"
    """Outcome, observation, naloxone and its time, severity, intent and suicidal thoughts:
    for whoever goes out."""
    SUBSTANCES = "substances"
    """What was taken: for health personnel only."""
    BYSTANDERS = "bystanders"
    """Whether a relative called 113 or was present: never to relatives or non-health staff."""


LEGACY_CATEGORIES: Mapping[str, tuple[DataCategory, ...]] = MappingProxyType(
    {"clinical": (DataCategory.ACUTE_RISK, DataCategory.SUBSTANCES)}
)
"""Consent categories of the first version, read as the categories that replaced them."""


class ConsentGiver(StrEnum):
    """Who gave the consent the crew recorded (docs/rules.md, "Minors")."""

    PERSON = "person"
    """The person the alert is about."""
    PARENT_OR_GUARDIAN = "parent_or_guardian"
    """A parent, or another with parental responsibility (pbrl § 4-4)."""
