"""Who consents for a minor (docs/rules.md, "Minors"): every age band x recorded consent x
who gave it."""

from __future__ import annotations

import itertools

import pytest

from app.consent.enums import ConsentGiver, ConsentState
from app.consent.minors import effective_consent, parents_consent
from app.overdose.enums import AgeBand

C, N, _U, _O = (
    ConsentState.CONSENTED,
    ConsentState.NOT_ASKED,
    ConsentState.UNABLE,
    ConsentState.OBJECTED,
)
CHILD, PARENT = ConsentGiver.PERSON, ConsentGiver.PARENT_OR_GUARDIAN

# (age band, recorded, given by) -> the consent that counts. A consent from the wrong giver
# counts as not_asked; every other state counts as recorded, whoever gave it.
COUNTS: dict[tuple[AgeBand | None, ConsentState, ConsentGiver | None], ConsentState] = {}
for band, state, giver in itertools.product(
    [*AgeBand, None], list(ConsentState), [CHILD, PARENT, None]
):
    COUNTS[(band, state, giver)] = state
COUNTS.update(
    {
        # Under 16: only the parents' consent counts (pbrl §§ 4-3, 4-4).
        (AgeBand.UNDER_12, C, CHILD): N,
        (AgeBand.UNDER_12, C, None): N,
        (AgeBand.AGED_12_15, C, CHILD): N,
        (AgeBand.AGED_12_15, C, None): N,
        # 16 and over consent themselves: a parent's consent is not theirs.
        (AgeBand.AGED_16_17, C, PARENT): N,
        (AgeBand.ADULT, C, PARENT): N,
    }
)


@pytest.mark.parametrize(("band", "recorded", "giver"), sorted(COUNTS, key=str))
def test_the_consent_that_counts(
    band: AgeBand | None, recorded: ConsentState, giver: ConsentGiver | None
) -> None:
    counted = effective_consent(recorded, giver, band)
    assert counted.state is COUNTS[(band, recorded, giver)]
    assert counted.not_counted == (counted.state is not recorded)
    assert counted.parents_step == (band in (AgeBand.UNDER_12, AgeBand.AGED_12_15))


def test_the_table_covers_every_combination() -> None:
    assert len(COUNTS) == (len(AgeBand) + 1) * len(ConsentState) * 3


@pytest.mark.parametrize(
    ("band", "parents"),
    [
        (AgeBand.UNDER_12, True),
        (AgeBand.AGED_12_15, True),
        (AgeBand.AGED_16_17, False),
        (AgeBand.ADULT, False),
        (None, False),
    ],
)
def test_who_consents(band: AgeBand | None, parents: bool) -> None:
    assert parents_consent(band) is parents
