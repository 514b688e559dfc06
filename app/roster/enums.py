"""Vocabulary of the roster tables and API."""

from __future__ import annotations

from enum import StrEnum


class MemberRole(StrEnum):
    RUSKONSULENT = "ruskonsulent"
    SYKEPLEIER = "sykepleier"
    VERNEPLEIER = "vernepleier"
    MILJOTERAPEUT = "miljoterapeut"
    LEGE = "lege"
    LEDER = "leder"
    ANNET = "annet"


class HealthPersonnelBasis(StrEnum):
    """Why a member is health personnel (helsepersonelloven § 3), assessed per role, not by
    job title. A member with no basis is not health personnel: they receive data only as
    personnel cooperating in the care itself, under the same confidentiality (hpl § 25)."""

    AUTHORISATION = "authorisation"
    """Authorised or licensed health personnel (hpl § 3 first paragraph no. 1, § 48)."""
    MUNICIPAL_CARE_ROLE = "municipal_care_role"
    """Employed in the municipal health and care service in a role that gives health care
    (hpl § 3 first paragraph no. 2). Not staff under the Social Services Act (NAV)."""


class Language(StrEnum):
    """The language of the SMS and pages a member chose (without a choice: the municipality's
    written standard)."""

    NB = "nb"
    NN = "nn"
    EN = "en"


class WrittenStandard(StrEnum):
    """A municipality's written standard (målform): the default language of its SMS and pages."""

    NB = "nb"
    """Bokmål."""
    NN = "nn"
    """Nynorsk."""


class ShiftSource(StrEnum):
    MANUAL = "manual"
    ICAL = "ical"
