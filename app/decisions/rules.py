"""Which legal basis allows a manual disclosure to which recipient, on which attestations (pure).

The table is the whole rule: a combination that is not in it is refused, with a reason that
names the law. Check the section numbers against Lovdata: Prop. 154 L (2024-2025) would
reorganise chapter 5 of helsepersonelloven.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from app.consent.enums import DataCategory


class DecisionRecipient(StrEnum):
    POLICE = "police"
    CHILD_WELFARE = "child_welfare"
    """Barnevernet."""
    RELATIVES = "relatives"
    """The nearest relative (pårørende)."""
    MUNICIPAL_HEALTH_SERVICE = "municipal_health_service"
    """The municipal health and care service, about a pregnancy (hpl § 32)."""


class DecisionBasis(StrEnum):
    """The bases of manual decisions; each is also an access-log basis (AccessBasis)."""

    HPL_31 = "hpl_31"
    HPL_23_4 = "hpl_23_4"
    HPL_33 = "hpl_33"
    PBRL_3_3 = "pbrl_3_3"
    HPL_23_1 = "hpl_23_1"
    HPL_32 = "hpl_32"


class Attestation(StrEnum):
    """What the decider confirms, where the basis depends on a fact the service cannot see."""

    PERSON_CANNOT_CONSENT = "person_cannot_consent"
    ONLY_KNOWN_FACTS = "only_known_facts"
    INJURY_OVERWHELMINGLY_LIKELY = "injury_overwhelmingly_likely"


LAW: Mapping[DecisionBasis, str] = MappingProxyType(
    {
        DecisionBasis.HPL_31: "helsepersonelloven § 31: plikt til å avverge alvorlig skade",
        DecisionBasis.HPL_23_4: "helsepersonelloven § 23 nr. 4: tungtveiende private eller "
        "offentlige interesser",
        DecisionBasis.HPL_33: "helsepersonelloven § 33: opplysningsplikt til barnevernet",
        DecisionBasis.PBRL_3_3: "pasient- og brukerrettighetsloven § 3-3: nærmeste pårørende "
        "når pasienten ikke kan samtykke",
        DecisionBasis.HPL_23_1: "helsepersonelloven § 23 nr. 1: opplysningene er allerede kjent "
        "for mottakeren",
        DecisionBasis.HPL_32: "helsepersonelloven § 32 andre ledd: gravid kvinnes bruk av "
        "rusmidler",
    }
)

RECIPIENT_NAME: Mapping[DecisionRecipient, str] = MappingProxyType(
    {
        DecisionRecipient.POLICE: "politiet",
        DecisionRecipient.CHILD_WELFARE: "barnevernet",
        DecisionRecipient.RELATIVES: "nærmeste pårørende",
        DecisionRecipient.MUNICIPAL_HEALTH_SERVICE: "kommunens helse- og omsorgstjeneste",
    }
)

ALLOWED: Mapping[DecisionRecipient, Mapping[DecisionBasis, frozenset[Attestation]]] = (
    MappingProxyType(
        {
            DecisionRecipient.POLICE: {
                DecisionBasis.HPL_31: frozenset(),
                DecisionBasis.HPL_23_4: frozenset(),
            },
            DecisionRecipient.CHILD_WELFARE: {DecisionBasis.HPL_33: frozenset()},
            DecisionRecipient.RELATIVES: {
                DecisionBasis.PBRL_3_3: frozenset({Attestation.PERSON_CANNOT_CONSENT}),
                DecisionBasis.HPL_23_1: frozenset({Attestation.ONLY_KNOWN_FACTS}),
            },
            DecisionRecipient.MUNICIPAL_HEALTH_SERVICE: {
                DecisionBasis.HPL_32: frozenset({Attestation.INJURY_OVERWHELMINGLY_LIKELY}),
            },
        }
    )
)
"""Per recipient, the bases allowed and the attestations each requires (all true)."""

WHY_ATTESTED: Mapping[Attestation, str] = MappingProxyType(
    {
        Attestation.PERSON_CANNOT_CONSENT: "pasient- og brukerrettighetsloven § 3-3 lets the "
        "nearest relative be told only while the person cannot consent (unconscious, "
        "intoxicated), and only as far as the circumstances warrant",
        Attestation.ONLY_KNOWN_FACTS: "helsepersonelloven § 23 nr. 1 allows only the concrete "
        "facts the relative already knows, never new ones",
        Attestation.INJURY_OVERWHELMINGLY_LIKELY: "helsepersonelloven § 32 second paragraph "
        "applies only where the substance use makes it overwhelmingly likely («overveiende "
        "sannsynlig») that the child will be born with an injury",
    }
)

NEVER_SHARED: Mapping[DecisionRecipient, frozenset[DataCategory]] = MappingProxyType(
    {DecisionRecipient.RELATIVES: frozenset({DataCategory.BYSTANDERS})}
)
"""Categories a recipient is never given: who called 113 is never told to relatives."""


@dataclass(frozen=True, slots=True)
class RuleProblem:
    field: str
    reason: str


def problems(
    recipient: DecisionRecipient,
    basis: DecisionBasis,
    attested: Mapping[Attestation, bool],
    categories: frozenset[DataCategory] = frozenset(),
) -> list[RuleProblem]:
    """Why the decision is refused: empty when the table allows it. An attestation of another
    basis is refused only when true (a form may send every box unticked)."""
    allowed = ALLOWED[recipient]
    if basis not in allowed:
        choices = " or ".join(f"{b.value} ({LAW[b]})" for b in allowed)
        return [
            RuleProblem(
                "basis",
                f"{basis.value} ({LAW[basis]}) gives no basis for telling "
                f"{RECIPIENT_NAME[recipient]}; "
                f"use {choices}",
            )
        ]
    required = allowed[basis]
    found = [
        RuleProblem(f"attestations.{a.value}", f"must be true: {WHY_ATTESTED[a]}")
        for a in Attestation
        if a in required and attested.get(a) is not True
    ]
    found += [
        RuleProblem(
            f"attestations.{a.value}",
            f"does not belong to {basis.value} ({LAW[basis]}); leave it out",
        )
        for a in Attestation
        if a not in required and attested.get(a) is True
    ]
    found += [
        RuleProblem(
            "shared_categories",
            f"{c.value} is never told to {RECIPIENT_NAME[recipient]} (who called 113 or was "
            "present stays with health personnel)",
        )
        for c in sorted(categories & NEVER_SHARED.get(recipient, frozenset()))
    ]
    return found
