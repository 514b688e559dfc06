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
    HPL_23_2 = "hpl_23_2"
    """Hpl § 23 nr. 2: given anonymously; lawful only if no recipient can identify the person
    (Helsedirektoratet: the data fit at least 4-5 persons)."""
    HPL_26 = "hpl_26"
    """Hpl § 26: the organisation's own leadership, for internal control and quality review."""
    PBRL_3_3 = "pbrl_3_3"
    """Pasient- og brukerrettighetsloven § 3-3: the nearest relative, only while the person
    cannot consent (a recorded manual decision)."""
    HPL_23_1 = "hpl_23_1"
    """Hpl § 23 nr. 1: only facts the recipient already knows (a recorded manual decision)."""
    HPL_23_4 = "hpl_23_4"
    """Hpl § 23 nr. 4: weighty private or public interests make it right (a recorded manual
    decision; a right, not a duty)."""
    HPL_31 = "hpl_31"
    """Hpl § 31: to the police, to avert serious harm to person or property (a duty; a
    recorded manual decision)."""
    HPL_33 = "hpl_33"
    """Hpl § 33: to child welfare (barnevernet), on suspected serious neglect (a recorded
    manual decision, never automatic)."""
    HPL_32 = "hpl_32"
    """Hpl § 32 second paragraph: to the municipal health and care service, where a pregnant
    woman's substance use makes an injured birth overwhelmingly likely (a recorded manual
    decision)."""
    HPL_29C = "hpl_29c"
    """Hpl § 29 c: a staff debrief about a case the staff member worked on."""
