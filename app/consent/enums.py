"""The vocabulary of consent: states, recipients and categories of data (BRIEF §4)."""

from __future__ import annotations

from enum import StrEnum


class ConsentState(StrEnum):
    CONSENTED = "consented"
    NOT_ASKED = "not_asked"
    UNABLE = "unable"
    OBJECTED = "objected"


class Recipient(StrEnum):
    ON_DUTY_HEALTH = "on_duty_health"
    """On-duty team member who is health personnel."""
    TEAM_COOPERATING = "team_cooperating"
    """Team member cooperating in the care, bound by confidentiality, not health personnel."""
    TEAM_LEADER = "team_leader"
    RELATIVES = "relatives"
    POLICE = "police"
    SOCIAL_SERVICES = "social_services"
    VOLUNTEERS = "volunteers"


class ConsentRecipient(StrEnum):
    """Recipients outside the team that a consent can name."""

    RELATIVES = "relatives"
    POLICE = "police"
    SOCIAL_SERVICES = "social_services"
    VOLUNTEERS = "volunteers"


class DataCategory(StrEnum):
    IDENTITY = "identity"
    CONTACT = "contact"
    CLINICAL = "clinical"
    PLACE = "place"
    SITUATION = "situation"
