"""API models of manual disclosures and of the duty to tell the person (pbrl § 3-6).

Free text is refused when it holds an 11-digit number: the person's national id does not
belong in a reason, and a mistyped one still points to someone.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from app.api.bodies import RequestBody, with_examples
from app.consent.enums import DataCategory
from app.decisions.models import ManualDecision
from app.decisions.rules import Attestation, DecisionBasis, DecisionRecipient
from app.informing.models import InformDuty, InformTrigger
from app.norway.national_id import InvalidNationalId, parse_national_id
from app.strict import Boolean

_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{6} ?\d{5}(?!\d)")


def _no_national_id(text: str) -> str:
    for match in _ELEVEN_DIGITS.finditer(text):
        try:
            parse_national_id(match.group())
        except InvalidNationalId:
            raise ValueError(
                "holds an 11-digit number, perhaps a mistyped national id; personal numbers "
                "do not belong here"
            ) from None
        raise ValueError("holds a national id (fødselsnummer or D-nummer); leave it out")
    return text


ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_no_national_id),
]
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=500),
    AfterValidator(_no_national_id),
]


class CaseSystemStaff(RequestBody):
    """A staff member, as the municipality's case system knows them."""

    name: ShortText = Field(examples=["Kari Solberg"])
    role: ShortText = Field(examples=["leder, Ressursteam overdose"])


class Attestations(RequestBody):
    """What the decider confirms where the basis depends on facts the service cannot see.
    Each is required (true) by one basis; true for another basis is refused."""

    person_cannot_consent: Boolean | None = Field(
        default=None,
        description="`pbrl_3_3`: the person cannot consent now (unconscious, intoxicated); "
        "only the nearest relative is told, only as far as the circumstances warrant.",
    )
    only_known_facts: Boolean | None = Field(
        default=None,
        description="`hpl_23_1`: only concrete facts the relative already knows are told.",
    )
    injury_overwhelmingly_likely: Boolean | None = Field(
        default=None,
        description="`hpl_32`: the substance use makes it overwhelmingly likely («overveiende "
        "sannsynlig») that the child will be born with an injury.",
    )

    def given(self) -> dict[Attestation, bool]:
        return {Attestation(k): v for k, v in self.model_dump().items() if v is not None}


class ManualDisclosureIn(RequestBody):
    model_config = with_examples(
        {
            "recipient": "police",
            "basis": "hpl_31",
            "attestations": {},
            "decided_by": {"name": "Kari Solberg", "role": "leder, Ressursteam overdose"},
            "reason": "Personen forlot stedet i sterkt ruspåvirket tilstand og kan ikke "
            "finnes; melding om savnet person for å avverge alvorlig skade.",
            "shared_categories": ["identity", "place", "acute_risk"],
            "not_informed_reason": "Personen er ikke funnet ennå; informeres når "
            "vedkommende er funnet.",
        }
    )

    recipient: DecisionRecipient = Field(
        description="`police`, `child_welfare` (barnevernet), `relatives` (the nearest "
        "relative), `municipal_health_service` (about a pregnancy, hpl § 32)."
    )
    basis: DecisionBasis = Field(
        description="police: `hpl_31` (a duty, to avert serious harm) or `hpl_23_4` (weighty "
        "interests); child_welfare: `hpl_33`; relatives: `pbrl_3_3` (with "
        "`person_cannot_consent`) or `hpl_23_1` (with `only_known_facts`); "
        "municipal_health_service: `hpl_32` (with `injury_overwhelmingly_likely`)."
    )
    attestations: Attestations = Field(default_factory=Attestations)
    decided_by: CaseSystemStaff = Field(description="Who made the decision.")
    reason: Reason = Field(
        description="Why, in the decider's words (3-500 characters, no national id); written "
        "to the access log."
    )
    shared_categories: list[DataCategory] = Field(
        min_length=1,
        max_length=len(DataCategory),
        description="What was shared. Relatives are never told `bystanders`.",
    )
    informed_by: ShortText | None = Field(
        default=None,
        description="Who tells the person what was shared (pasient- og brukerrettighetsloven "
        "§ 3-6). Give this or `not_informed_reason`, not both.",
    )
    not_informed_reason: Reason | None = Field(
        default=None,
        description="Why the person is not told, «så langt forholdene tilsier det» (pbrl "
        "§ 3-6); may be recorded again later with PUT .../inform-duties/{duty_id}.",
    )


class InformDutyOut(BaseModel):
    """A disclosure without consent that the person must be told of (pbrl § 3-6)."""

    id: uuid.UUID
    alert_id: uuid.UUID
    opened_at: datetime
    trigger: InformTrigger = Field(
        description="`intake`: AMK disclosed the alert to the team without consent; "
        "`manual_decision`: a recorded manual disclosure (`decision_id`)."
    )
    decision_id: uuid.UUID | None
    recipient: str = Field(examples=["police"])
    categories: list[DataCategory]
    recorded: bool = Field(description="Whether who informs, or why not, is recorded.")
    informed_by: str | None = Field(examples=["Kari Solberg"])
    not_informed_reason: str | None
    recorded_at: datetime | None
    recorded_by: str | None = Field(examples=["Kari Solberg (leder)"])

    @classmethod
    def of(cls, duty: InformDuty) -> InformDutyOut:
        """The duty as its row has it (pydantic reads the trigger and categories as their
        enums), and whether it is recorded."""
        return cls.model_validate({**duty.model_dump(), "recorded": duty.recorded_at is not None})


class InformRecordIn(RequestBody):
    """Who tells the person what was shared, or why not: exactly one."""

    model_config = with_examples(
        {"informed_by": "Ingrid Haugen", "recorded_by": {"name": "Kari Solberg", "role": "leder"}}
    )

    informed_by: ShortText | None = None
    not_informed_reason: Reason | None = None
    recorded_by: CaseSystemStaff


class ManualDisclosureOut(BaseModel):
    id: uuid.UUID
    alert_id: uuid.UUID
    decided_at: datetime
    recipient: DecisionRecipient
    basis: DecisionBasis
    attestations: list[Attestation] = Field(description="The attestations given as true.")
    decided_by: CaseSystemStaff
    reason: str
    shared_categories: list[DataCategory]
    access_log_entry_id: int = Field(description="The access-log entry this decision wrote.")
    inform_duty: InformDutyOut | None = Field(
        description="The duty to tell the person, opened by this decision."
    )

    @classmethod
    def of(cls, decision: ManualDecision, duty: InformDuty | None) -> ManualDisclosureOut:
        return cls(
            id=decision.id,
            alert_id=decision.alert_id,
            decided_at=decision.decided_at,
            recipient=DecisionRecipient(decision.recipient),
            basis=DecisionBasis(decision.basis),
            attestations=[Attestation(a) for a in decision.attestations],
            decided_by=CaseSystemStaff(
                name=decision.decided_by_name, role=decision.decided_by_role
            ),
            reason=decision.reason,
            shared_categories=[DataCategory(c) for c in decision.shared_categories],
            access_log_entry_id=decision.access_log_entry_id,
            inform_duty=None if duty is None else InformDutyOut.of(duty),
        )
