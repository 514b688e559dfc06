"""API models of the access log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from app.api.bodies import RequestBody, with_examples
from app.audit.enums import AccessBasis, ActorKind, Channel
from app.audit.models import AccessLogEntry
from app.consent.enums import DataCategory
from app.input_guard import refuse_control_characters
from app.norway.types import MunicipalityCode, NationalIdStr
from app.privacy.free_text import no_personal_numbers
from app.strict import Integer

Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=500),
    AfterValidator(refuse_control_characters),
    AfterValidator(no_personal_numbers),
]
"""Kept in the access log for years: no control characters (PostgreSQL refuses a NUL), and
never the person's numbers (the log names the person by a keyed hash only)."""
"""Why personal data is looked at (tjenstlig behov): kept in the access log."""

MAX_PAGE = 1000
DEFAULT_PAGE = 100

ENTRY_EXAMPLE: dict[str, Any] = {
    "id": 412,
    "at": "2026-11-23T07:12:44Z",
    "actor_kind": "api_client",
    "actor_id": "client-fredrikstad-sak",
    "municipality": "3107",
    "alert_id": "0b9f6a52-8a3c-4a7e-9d51-2f0c2b4e7d10",
    "categories": ["acute_risk", "contact", "identity", "place", "substances"],
    "legal_basis": "hpl_25",
    "reason": "Leder vurderer oppfølging (prosedyre punkt 2)",
    "channel": "api",
}


class AccessLogEntryOut(BaseModel):
    """One disclosure: who was shown which categories of data about an alert, and why."""

    model_config = with_examples(ENTRY_EXAMPLE)

    id: int = Field(description="Increases with every entry; use it to page.")
    at: datetime
    actor_kind: ActorKind
    actor_id: str = Field(description="Staff id, client id, or the system job's name.")
    municipality: str = Field(description="The municipality whose records were disclosed.")
    alert_id: UUID | None = Field(description="None when a person was looked up by national id.")
    categories: list[DataCategory] = Field(description="The categories of data disclosed.")
    legal_basis: AccessBasis
    reason: str
    channel: Channel

    @classmethod
    def of(cls, entry: AccessLogEntry) -> AccessLogEntryOut:
        assert entry.id is not None
        # The columns carry over by name, validated into their enums; only the municipality
        # is named differently in the API.
        return cls.model_validate({**entry.model_dump(), "municipality": entry.municipality_code})


class AccessLogPage(BaseModel):
    """Entries in the order they were written."""

    model_config = with_examples({"entries": [ENTRY_EXAMPLE], "next_after": 412})

    entries: list[AccessLogEntryOut]
    next_after: int | None = Field(
        description="Pass as `after` to get the next page; null when this page is the last."
    )


class PersonLookup(RequestBody):
    """Whose disclosures to list. Sent as a body, so the national id stays out of URLs."""

    model_config = with_examples(
        {"national_id": "01010750160", "reason": "Innsynsbegjæring fra personen, sak 2026/1234"}
    )

    national_id: NationalIdStr = Field(description="Fødselsnummer or D-nummer.")
    reason: Reason
    municipality: MunicipalityCode | None = Field(
        default=None,
        description="Whose records to search; may be left out when the client is bound to "
        "exactly one municipality.",
    )
    after: Integer | None = Field(default=None, ge=0, description="Entries after this id.")
    limit: Integer = Field(default=DEFAULT_PAGE, ge=1, le=MAX_PAGE)


DEFAULT_REPORT_REASON = "Innsyn i logg etter skriftlig begjæring fra personen"


class AccessReportRequest(RequestBody):
    """Whose access report to make: the national id from the person's written request. A
    body, so the national id stays out of URLs and request logs."""

    model_config = with_examples(
        {"national_id": "01010750160", "reason": "Innsynsbegjæring, sak 2026/1234"}
    )

    national_id: NationalIdStr = Field(description="Fødselsnummer or D-nummer.")
    reason: Reason = Field(
        default=DEFAULT_REPORT_REASON,
        description="Why the log is searched (kept in the access log with the search).",
    )
    municipality: MunicipalityCode | None = Field(
        default=None,
        description="Whose records to search; may be left out when the caller acts for "
        "exactly one municipality (a signed-in leader always does).",
    )


REPORT_ENTRY_EXAMPLE: dict[str, Any] = {
    "at": "2026-11-23T07:12:44Z",
    "actor_kind": "staff",
    "name": "Bo Berg",
    "role": "sykepleier",
    "categories": ["acute_risk", "contact", "identity", "place"],
    "legal_basis": "hpl_25",
    "legal_basis_text": "helsepersonelloven § 25: samarbeidende personell",
    "reason": "Tatt varsel: oppfølging",
    "channel": "page",
    "alert_id": "0b9f6a52-8a3c-4a7e-9d51-2f0c2b4e7d10",
}


class AccessReportEntry(BaseModel):
    """One time the person's data was shown: who, when, what and on which basis."""

    model_config = with_examples(REPORT_ENTRY_EXAMPLE)

    at: datetime
    actor_kind: ActorKind
    name: str = Field(description="The staff member's name, or the system's.")
    role: str = Field(description="The staff member's role (as the team lists it).")
    categories: list[DataCategory]
    legal_basis: AccessBasis
    legal_basis_text: str = Field(description="The basis as the law names it (Norwegian).")
    reason: str
    channel: Channel
    alert_id: UUID | None


class AccessReport(BaseModel):
    """Every access-log entry about one person in one municipality, oldest first. The search
    itself is written to the access log (after the entries listed)."""

    model_config = with_examples(
        {
            "municipality": "3107",
            "made_at": "2026-12-01T09:00:00Z",
            "right": "Personvernforordningen (GDPR) artikkel 15: …",
            "entries": [REPORT_ENTRY_EXAMPLE],
        }
    )

    municipality: str
    made_at: datetime
    right: str = Field(description="The person's right the document answers.")
    entries: list[AccessReportEntry]
