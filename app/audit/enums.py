"""The vocabulary of the access log."""

from __future__ import annotations

from enum import StrEnum


class ActorKind(StrEnum):
    STAFF = "staff"
    """A staff member of the municipality, by their staff id."""
    API_CLIENT = "api_client"
    """A machine client, by its client id."""
    SYSTEM = "system"
    """The service itself, e.g. an export job."""


class Channel(StrEnum):
    API = "api"
    PAGE = "page"
    EXPORT = "export"


class AccessBasis(StrEnum):
    """Why a disclosure was lawful."""

    CONSENT = "consent"
    HPL_25 = "hpl_25"
    """Helsepersonelloven § 25: necessary information to cooperating personnel."""
    INNSYN = "innsyn"
    """The person's right to know who accessed their data (pasientjournalloven § 18,
    GDPR art. 15), exercised through the privacy officer."""
