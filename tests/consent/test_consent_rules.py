"""The consent rules, cell by cell (docs/rules.md, "Consent and who sees what").

The expected table is written out by hand. Each cell is its own test, so changing any single
rule fails exactly the cells it touches; the coverage tests fail when an enum gains a member
that the table does not yet decide.
"""

from __future__ import annotations

import pytest

from app.consent.enums import ConsentRecipient, ConsentState, DataCategory, Recipient
from app.consent.rules import (
    ConsentContext,
    Decision,
    LegalBasis,
    allowed_categories,
    decide,
    kept_categories,
)

C = LegalBasis.CONSENT
H = LegalBasis.HPL_25
Q = LegalBasis.HPL_26
Y = LegalBasis.HPL_23_2  # anonymous
N = LegalBasis.NONE

I, K, P, S, A, D, B = (  # noqa: E741 - column letters of the table below
    DataCategory.IDENTITY,
    DataCategory.CONTACT,
    DataCategory.PLACE,
    DataCategory.SITUATION,
    DataCategory.ACUTE_RISK,
    DataCategory.SUBSTANCES,
    DataCategory.BYSTANDERS,
)
COLUMNS = (I, K, P, S, A, D, B)

ALL_RECIPIENTS = frozenset(ConsentRecipient)

SCENARIOS: dict[str, ConsentContext] = {
    "objected": ConsentContext(ConsentState.OBJECTED),
    "not_asked": ConsentContext(ConsentState.NOT_ASKED),
    "unable": ConsentContext(ConsentState.UNABLE),
    "consented_team_only": ConsentContext(ConsentState.CONSENTED),
    "consented_relatives_identity_contact": ConsentContext(
        ConsentState.CONSENTED,
        recipients=frozenset({ConsentRecipient.RELATIVES}),
        categories=frozenset({DataCategory.IDENTITY, DataCategory.CONTACT}),
    ),
    "consented_social_services_acute_risk_substances": ConsentContext(
        ConsentState.CONSENTED,
        recipients=frozenset({ConsentRecipient.SOCIAL_SERVICES}),
        categories=frozenset({DataCategory.ACUTE_RISK, DataCategory.SUBSTANCES}),
    ),
    "consented_everyone_everything": ConsentContext(
        ConsentState.CONSENTED, recipients=ALL_RECIPIENTS, categories=None
    ),
    "consented_everyone_nothing": ConsentContext(
        ConsentState.CONSENTED, recipients=ALL_RECIPIENTS, categories=frozenset()
    ),
}

R = Recipient
# fmt: off
EXPECTED: dict[str, dict[Recipient, tuple[LegalBasis, ...]]] = {
    #            identity contact place situation acute_risk substances bystanders
    "objected": {
        R.ON_DUTY_HEALTH:   (N, N, N, N, N, N, N),
        R.TEAM_COOPERATING: (N, N, N, N, N, N, N),
        # Of acute risk only the outcome, under the group rule (app.alerts.anonymity).
        R.TEAM_LEADER:      (N, N, N, N, Y, N, N),
        R.QUALITY_REVIEW:   (N, N, N, N, N, N, N),
        R.RELATIVES:        (N, N, N, N, N, N, N),
        R.SOCIAL_SERVICES:  (N, N, N, N, N, N, N),
        R.VOLUNTEERS:       (N, N, N, N, N, N, N),
        R.POLICE:           (N, N, N, N, N, N, N),
    },
    "not_asked": {
        R.ON_DUTY_HEALTH:   (H, H, H, H, H, H, H),
        R.TEAM_COOPERATING: (H, H, H, H, H, N, N),
        R.TEAM_LEADER:      (H, H, H, H, H, H, H),
        R.QUALITY_REVIEW:   (N, N, N, N, Q, Q, N),
        R.RELATIVES:        (N, N, N, N, N, N, N),
        R.SOCIAL_SERVICES:  (N, N, N, N, N, N, N),
        R.VOLUNTEERS:       (N, N, N, N, N, N, N),
        R.POLICE:           (N, N, N, N, N, N, N),
    },
    "unable": {
        R.ON_DUTY_HEALTH:   (H, H, H, H, H, H, H),
        R.TEAM_COOPERATING: (H, H, H, H, H, N, N),
        R.TEAM_LEADER:      (H, H, H, H, H, H, H),
        R.QUALITY_REVIEW:   (N, N, N, N, Q, Q, N),
        R.RELATIVES:        (N, N, N, N, N, N, N),
        R.SOCIAL_SERVICES:  (N, N, N, N, N, N, N),
        R.VOLUNTEERS:       (N, N, N, N, N, N, N),
        R.POLICE:           (N, N, N, N, N, N, N),
    },
    "consented_team_only": {
        R.ON_DUTY_HEALTH:   (C, C, C, C, C, C, C),
        R.TEAM_COOPERATING: (C, C, C, C, C, C, N),
        R.TEAM_LEADER:      (C, C, C, C, C, C, C),
        R.QUALITY_REVIEW:   (N, N, N, N, Q, Q, N),
        R.RELATIVES:        (N, N, N, N, N, N, N),
        R.SOCIAL_SERVICES:  (N, N, N, N, N, N, N),
        R.VOLUNTEERS:       (N, N, N, N, N, N, N),
        R.POLICE:           (N, N, N, N, N, N, N),
    },
    "consented_relatives_identity_contact": {
        R.ON_DUTY_HEALTH:   (C, C, N, N, N, N, N),
        R.TEAM_COOPERATING: (C, C, N, N, N, N, N),
        R.TEAM_LEADER:      (C, C, N, N, N, N, N),
        R.QUALITY_REVIEW:   (N, N, N, N, N, N, N),
        R.RELATIVES:        (C, C, N, N, N, N, N),
        R.SOCIAL_SERVICES:  (N, N, N, N, N, N, N),
        R.VOLUNTEERS:       (N, N, N, N, N, N, N),
        R.POLICE:           (N, N, N, N, N, N, N),
    },
    "consented_social_services_acute_risk_substances": {
        R.ON_DUTY_HEALTH:   (N, N, N, N, C, C, N),
        R.TEAM_COOPERATING: (N, N, N, N, C, C, N),
        R.TEAM_LEADER:      (N, N, N, N, C, C, N),
        R.QUALITY_REVIEW:   (N, N, N, N, Q, Q, N),
        R.RELATIVES:        (N, N, N, N, N, N, N),
        R.SOCIAL_SERVICES:  (N, N, N, N, C, C, N),
        R.VOLUNTEERS:       (N, N, N, N, N, N, N),
        R.POLICE:           (N, N, N, N, N, N, N),
    },
    "consented_everyone_everything": {
        R.ON_DUTY_HEALTH:   (C, C, C, C, C, C, C),
        R.TEAM_COOPERATING: (C, C, C, C, C, C, N),
        R.TEAM_LEADER:      (C, C, C, C, C, C, C),
        R.QUALITY_REVIEW:   (N, N, N, N, Q, Q, N),
        R.RELATIVES:        (C, C, C, C, C, C, N),
        R.SOCIAL_SERVICES:  (C, C, C, C, C, C, N),
        R.VOLUNTEERS:       (C, C, C, C, C, C, N),
        R.POLICE:           (N, N, N, N, N, N, N),
    },
    "consented_everyone_nothing": {
        R.ON_DUTY_HEALTH:   (N, N, N, N, N, N, N),
        R.TEAM_COOPERATING: (N, N, N, N, N, N, N),
        R.TEAM_LEADER:      (N, N, N, N, N, N, N),
        R.QUALITY_REVIEW:   (N, N, N, N, N, N, N),
        R.RELATIVES:        (N, N, N, N, N, N, N),
        R.SOCIAL_SERVICES:  (N, N, N, N, N, N, N),
        R.VOLUNTEERS:       (N, N, N, N, N, N, N),
        R.POLICE:           (N, N, N, N, N, N, N),
    },
}
# fmt: on

KEPT: dict[str, frozenset[DataCategory]] = {
    "objected": frozenset({A}),
    "not_asked": frozenset(COLUMNS),
    "unable": frozenset(COLUMNS),
    "consented_team_only": frozenset(COLUMNS),
    "consented_relatives_identity_contact": frozenset({I, K}),
    "consented_social_services_acute_risk_substances": frozenset({A, D}),
    "consented_everyone_everything": frozenset(COLUMNS),
    "consented_everyone_nothing": frozenset(),
}
"""What is stored at all: a category nobody may see is dropped at intake."""

CELLS = [
    pytest.param(scenario, recipient, category, basis, id=f"{scenario}-{recipient}-{category}")
    for scenario, rows in EXPECTED.items()
    for recipient, row in rows.items()
    for category, basis in zip(COLUMNS, row, strict=True)
]


@pytest.mark.parametrize(("scenario", "recipient", "category", "basis"), CELLS)
def test_decision(
    scenario: str, recipient: Recipient, category: DataCategory, basis: LegalBasis
) -> None:
    assert decide(SCENARIOS[scenario], recipient, category) == Decision(
        allowed=basis is not N, basis=basis
    )


def test_table_covers_every_state_recipient_and_category() -> None:
    assert len(set(COLUMNS)) == len(COLUMNS)
    assert set(COLUMNS) == set(DataCategory)
    assert set(EXPECTED) == set(SCENARIOS)
    assert {context.state for context in SCENARIOS.values()} == set(ConsentState)
    for scenario, rows in EXPECTED.items():
        assert set(rows) == set(Recipient), scenario
        assert all(len(row) == len(COLUMNS) for row in rows.values()), scenario
    assert len(CELLS) == len(SCENARIOS) * len(Recipient) * len(DataCategory)


@pytest.mark.parametrize("scenario", ["objected", "not_asked", "unable"])
@pytest.mark.parametrize(
    "categories", [None, frozenset(), frozenset({DataCategory.IDENTITY})], ids=repr
)
def test_recipients_and_categories_count_only_with_consent(
    scenario: str, categories: frozenset[DataCategory] | None
) -> None:
    # A stray scope on a non-consent state must neither widen nor narrow what § 25 allows.
    context = ConsentContext(SCENARIOS[scenario].state, ALL_RECIPIENTS, categories)
    for recipient, row in EXPECTED[scenario].items():
        got = tuple(decide(context, recipient, category).basis for category in COLUMNS)
        assert got == row, recipient


@pytest.mark.parametrize(
    ("scenario", "recipient"), [(s, r) for s in EXPECTED for r in Recipient], ids=str
)
def test_allowed_categories_follow_the_table(scenario: str, recipient: Recipient) -> None:
    expected = {c for c, b in zip(COLUMNS, EXPECTED[scenario][recipient], strict=True) if b != N}
    assert allowed_categories(SCENARIOS[scenario], recipient) == expected


@pytest.mark.parametrize("scenario", list(KEPT))
def test_only_what_somebody_may_see_is_kept(scenario: str) -> None:
    assert kept_categories(SCENARIOS[scenario]) == KEPT[scenario]


def test_the_police_are_never_told_by_these_rules() -> None:
    for context in SCENARIOS.values():
        assert allowed_categories(context, Recipient.POLICE) == frozenset()
    assert "police" not in {c.value for c in ConsentRecipient}


@pytest.mark.parametrize("named", list(ConsentRecipient))
def test_a_consent_names_outside_recipients_one_by_one(named: ConsentRecipient) -> None:
    context = ConsentContext(
        ConsentState.CONSENTED,
        recipients=frozenset({named}),
        categories=frozenset({DataCategory.SITUATION}),
    )
    outside = {Recipient(c.value) for c in ConsentRecipient} | {Recipient.POLICE}
    told = {r for r in outside if allowed_categories(context, r)}
    assert told == {Recipient(named.value)}
    assert allowed_categories(context, Recipient(named.value)) == {DataCategory.SITUATION}


@pytest.mark.parametrize(
    ("allowed", "basis"),
    [(True, N), (False, C), (False, H), (False, Q), (False, Y)],
    ids=["allowed-none", "c", "h", "q", "y"],
)
def test_a_decision_has_a_basis_exactly_when_allowed(allowed: bool, basis: LegalBasis) -> None:
    with pytest.raises(ValueError, match="basis"):
        Decision(allowed=allowed, basis=basis)
