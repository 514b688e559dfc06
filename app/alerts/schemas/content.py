"""What an alert and its supplements share: the optional sections, and the rules across
fields that tidy them (docs/rules.md, "The alert as sent").

Two things are refused whatever else the document holds (:meth:`AlertContent.refusals`): a
kind and an outcome that contradict each other, and a consent that names the police. Odd
values are dropped and listed (:meth:`AlertContent.tidy`), as the lenient base drops invalid
ones (:mod:`app.alerts.schemas.lenient`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Self

from pydantic import PrivateAttr, ValidatorFunctionWrapHandler, model_validator

from app.alerts.schemas.lenient import LenientModel
from app.alerts.schemas.sections import (
    Clinical,
    Consent,
    Destination,
    Naloxone,
    Person,
    Place,
    Scene,
    Severity,
)
from app.consent.enums import ConsentState
from app.errors import FieldProblem
from app.overdose.enums import AlertKind, Outcome
from app.privacy.free_text import personal_data_in

MAX_DOSE_DISTANCE = timedelta(hours=24)
"""How far the last naloxone dose may lie from the overdose before it is taken for a typo."""


class AlertContent(LenientModel):
    """The optional sections an alert and its supplements share."""

    place: Place | None = None
    destination: Destination | None = None
    person: Person | None = None
    scene: Scene | None = None
    clinical: Clinical | None = None
    naloxone: Naloxone | None = None
    severity: Severity | None = None
    consent: Consent | None = None

    _police_named: bool = PrivateAttr(default=False)

    @model_validator(mode="wrap")
    @classmethod
    def _refuse_police_by_consent(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Self:
        """Taken out before validation (which would read the consent as objected) and refused
        with its own reason by :meth:`refusals`."""
        consent = data.get("consent") if isinstance(data, dict) else None
        named = consent.get("recipients") if isinstance(consent, dict) else None
        police = isinstance(named, list) and "police" in named
        if police and isinstance(consent, dict) and isinstance(named, list):
            data = {
                **data,
                "consent": {**consent, "recipients": [r for r in named if r != "police"]},
            }
        model: Self = handler(data)
        model._police_named = police
        return model

    def _upgrade_first_version(self) -> None:
        """Move `clinical.naloxone_given`/`_doses` to the `naloxone` section."""
        clinical = self.clinical
        if clinical is None or (
            clinical.naloxone_given is None and clinical.naloxone_doses is None
        ):
            return
        naloxone = self.naloxone or Naloxone()
        if naloxone.given is None:
            naloxone.given = clinical.naloxone_given
        if naloxone.doses is None:
            naloxone.doses = clinical.naloxone_doses
        self.naloxone = naloxone
        clinical.naloxone_given = clinical.naloxone_doses = None

    def _drop_personal_drug_description(self) -> None:
        clinical = self.clinical
        if clinical is None or clinical.drug_description is None:
            return
        name = self.person.name if self.person else None
        reasons = personal_data_in(clinical.drug_description, names=[name] if name else [])
        if reasons:
            clinical.drug_description = None
            self.drop(FieldProblem(field="clinical.drug_description", reason="; ".join(reasons)))

    def _drop_far_dose_time(self, occurred_at: datetime | None) -> None:
        naloxone = self.naloxone
        if occurred_at is None or naloxone is None or naloxone.last_dose_at is None:
            return
        if abs(naloxone.last_dose_at - occurred_at) > MAX_DOSE_DISTANCE:
            naloxone.last_dose_at = None
            self.drop(
                FieldProblem(
                    field="naloxone.last_dose_at",
                    reason="more than 24 hours from occurred_at; check the time zone",
                )
            )

    def tidy(self, *, occurred_at: datetime | None) -> Self:
        """Rules across fields: the first version's fields moved, odd values dropped."""
        self._upgrade_first_version()
        self._drop_personal_drug_description()
        self._drop_far_dose_time(occurred_at)
        return self

    def refusals(
        self, *, kind: AlertKind | None, outcome_before: Outcome | None = None
    ) -> list[FieldProblem]:
        """What makes the whole request wrong: refused with 422, nothing stored.

        `kind`: the alert's kind after this request; `outcome_before`: the outcome stored
        before it (a supplement may change either, and the two must still agree)."""
        problems: list[FieldProblem] = []
        if self._police_named:
            problems.append(
                FieldProblem(
                    field="consent.recipients",
                    reason="the police cannot be named in a consent; they are told only by a "
                    "recorded decision under hpl § 31 or § 23 nr. 4",
                )
            )
        outcome = (self.clinical.outcome if self.clinical else None) or outcome_before
        if kind is not None and outcome is not None:
            if kind is AlertKind.NON_FATAL and outcome is Outcome.DECEASED:
                problems.append(
                    FieldProblem(
                        field="clinical.outcome",
                        reason="deceased contradicts kind non_fatal; send kind fatal",
                    )
                )
            elif kind is AlertKind.FATAL and outcome is not Outcome.DECEASED:
                problems.append(
                    FieldProblem(
                        field="clinical.outcome", reason=f"{outcome} contradicts kind fatal"
                    )
                )
        return problems

    @property
    def consent_state(self) -> ConsentState:
        return self.consent.state if self.consent else ConsentState.NOT_ASKED
