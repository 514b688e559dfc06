"""The pure rules of manual disclosures: every recipient × basis cell, and the attestations."""

from __future__ import annotations

import itertools

import pytest

from app.audit.enums import AccessBasis
from app.consent.enums import DataCategory
from app.decisions.rules import (
    ALLOWED,
    LAW,
    Attestation,
    DecisionBasis,
    DecisionRecipient,
    RuleProblem,
    problems,
)

R, B, A = DecisionRecipient, DecisionBasis, Attestation

TABLE: dict[tuple[DecisionRecipient, DecisionBasis], frozenset[Attestation] | None] = {
    (R.POLICE, B.HPL_31): frozenset(),
    (R.POLICE, B.HPL_23_4): frozenset(),
    (R.POLICE, B.HPL_33): None,
    (R.POLICE, B.PBRL_3_3): None,
    (R.POLICE, B.HPL_23_1): None,
    (R.POLICE, B.HPL_32): None,
    (R.CHILD_WELFARE, B.HPL_31): None,
    (R.CHILD_WELFARE, B.HPL_23_4): None,
    (R.CHILD_WELFARE, B.HPL_33): frozenset(),
    (R.CHILD_WELFARE, B.PBRL_3_3): None,
    (R.CHILD_WELFARE, B.HPL_23_1): None,
    (R.CHILD_WELFARE, B.HPL_32): None,
    (R.RELATIVES, B.HPL_31): None,
    (R.RELATIVES, B.HPL_23_4): None,
    (R.RELATIVES, B.HPL_33): None,
    (R.RELATIVES, B.PBRL_3_3): frozenset({A.PERSON_CANNOT_CONSENT}),
    (R.RELATIVES, B.HPL_23_1): frozenset({A.ONLY_KNOWN_FACTS}),
    (R.RELATIVES, B.HPL_32): None,
    (R.MUNICIPAL_HEALTH_SERVICE, B.HPL_31): None,
    (R.MUNICIPAL_HEALTH_SERVICE, B.HPL_23_4): None,
    (R.MUNICIPAL_HEALTH_SERVICE, B.HPL_33): None,
    (R.MUNICIPAL_HEALTH_SERVICE, B.PBRL_3_3): None,
    (R.MUNICIPAL_HEALTH_SERVICE, B.HPL_23_1): None,
    (R.MUNICIPAL_HEALTH_SERVICE, B.HPL_32): frozenset({A.INJURY_OVERWHELMINGLY_LIKELY}),
}
"""Expected: the attestations each allowed cell requires; None where the basis is refused."""


def test_the_table_covers_every_cell_and_matches_the_rules() -> None:
    assert set(TABLE) == set(itertools.product(DecisionRecipient, DecisionBasis))
    actual = {
        (r, b): ALLOWED[r].get(b) for r, b in itertools.product(DecisionRecipient, DecisionBasis)
    }
    assert actual == TABLE


@pytest.mark.parametrize(("recipient", "basis"), list(TABLE))
def test_each_cell(recipient: DecisionRecipient, basis: DecisionBasis) -> None:
    required = TABLE[recipient, basis]
    all_true = {a: True for a in (required or ())}
    found = problems(recipient, basis, all_true)
    if required is None:
        [problem] = found
        assert problem.field == "basis"
        # Names the law, and the bases that would do.
        assert "§" in problem.reason
        assert all(b.value in problem.reason for b in ALLOWED[recipient])
    else:
        assert found == []


@pytest.mark.parametrize(
    ("recipient", "basis", "attestation"),
    [(r, b, a) for (r, b), req in TABLE.items() if req for a in req],
)
@pytest.mark.parametrize("given", [None, False])
def test_a_required_attestation_must_be_true(
    recipient: DecisionRecipient,
    basis: DecisionBasis,
    attestation: Attestation,
    given: bool | None,
) -> None:
    attested = {} if given is None else {attestation: given}
    [problem] = problems(recipient, basis, attested)
    assert problem.field == f"attestations.{attestation.value}"
    assert problem.reason.startswith("must be true: ")


@pytest.mark.parametrize(("recipient", "basis"), [c for c, req in TABLE.items() if req is not None])
@pytest.mark.parametrize("attestation", list(Attestation))
def test_an_attestation_of_another_basis_is_refused_only_when_true(
    recipient: DecisionRecipient, basis: DecisionBasis, attestation: Attestation
) -> None:
    required = TABLE[recipient, basis] or frozenset()
    if attestation in required:
        return
    base = {a: True for a in required}
    assert problems(recipient, basis, {**base, attestation: False}) == []
    assert problems(recipient, basis, {**base, attestation: True}) == [
        RuleProblem(
            f"attestations.{attestation.value}",
            f"does not belong to {basis.value} ({LAW[basis]}); leave it out",
        )
    ]


@pytest.mark.parametrize("category", list(DataCategory))
@pytest.mark.parametrize(("recipient", "basis"), [c for c, req in TABLE.items() if req is not None])
def test_relatives_are_never_told_who_called_113(
    recipient: DecisionRecipient, basis: DecisionBasis, category: DataCategory
) -> None:
    attested = {a: True for a in TABLE[recipient, basis] or ()}
    found = problems(recipient, basis, attested, frozenset({category}))
    refused = recipient is R.RELATIVES and category is DataCategory.BYSTANDERS
    assert [p.field for p in found] == (["shared_categories"] if refused else [])


def test_a_refusal_names_the_law() -> None:
    [problem] = problems(R.POLICE, B.HPL_33, {})
    assert problem.reason == (
        "hpl_33 (helsepersonelloven § 33: opplysningsplikt til barnevernet) gives no basis for "
        "telling politiet; use hpl_31 (helsepersonelloven § 31: plikt til å avverge alvorlig "
        "skade) or hpl_23_4 (helsepersonelloven § 23 nr. 4: tungtveiende private eller "
        "offentlige interesser)"
    )


def test_every_basis_is_an_access_log_basis() -> None:
    assert {b.value for b in DecisionBasis} <= {b.value for b in AccessBasis}


def test_several_problems_are_reported_together() -> None:
    found = problems(
        R.RELATIVES,
        B.PBRL_3_3,
        {A.ONLY_KNOWN_FACTS: True},
        frozenset({DataCategory.BYSTANDERS, DataCategory.IDENTITY}),
    )
    assert [p.field for p in found] == [
        "attestations.person_cannot_consent",
        "attestations.only_known_facts",
        "shared_categories",
    ]
