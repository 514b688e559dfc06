"""API models of an alert (BRIEF §3, §9) and of its supplements.

The four required fields are strict: if one is missing or malformed the alert is refused
with 422; so are a supplement's id and kind. Every other field is optional and lenient
(:mod:`app.alerts.lenient`): a value that fails validation is left out, the alert is accepted,
and the response names the field and the reason. Values of the first version are still read
(:mod:`app.alerts.legacy`). Two things are refused whatever else the alert holds
(:meth:`AlertIn.refusals`): a kind and an outcome that contradict each other, and a consent
that names the police.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidatorFunctionWrapHandler,
    model_validator,
)

from app.alerts.examples import ALERT_EXAMPLE, ALERT_V1_EXAMPLE, SUPPLEMENT_EXAMPLE
from app.alerts.legacy import ConsentCategories, Legacy
from app.alerts.lenient import LenientModel
from app.consent.enums import ConsentRecipient, ConsentState
from app.errors import FieldProblem
from app.input_guard import refuse_control_characters
from app.instants import BoundedInstant
from app.norway.types import NationalIdStr, PhoneStr
from app.overdose.enums import (
    LEGACY_PLACE_TYPES,
    LEGACY_SUBSTANCES,
    AgeBand,
    AlertKind,
    Certainty,
    DestinationType,
    NaloxoneGiver,
    NaloxoneRoute,
    Outcome,
    PlaceType,
    ReporterType,
    Sex,
    Substance,
)
from app.privacy.free_text import personal_data_in
from app.strict import Boolean, Integer, Number

REQUIRED_FIELDS = ("dispatch_incident_id", "occurred_at", "municipality", "kind")

# Text with NUL or other control characters cannot be stored (PostgreSQL) or shown as it is:
# in an optional field it is dropped and listed, in the incident id it is a 422.
SafeText = Annotated[str, AfterValidator(refuse_control_characters)]
ShortText = Annotated[
    SafeText, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
PlaceText = Annotated[SafeText, StringConstraints(strip_whitespace=True, max_length=500)]

MAX_DOSE_DISTANCE = timedelta(hours=24)
"""How far the last naloxone dose may lie from the overdose before it is taken for a typo."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


class Place(_Section):
    """Where the overdose happened."""

    description: PlaceText | None = Field(default=None, examples=["Utenfor Fredrikstad stasjon"])
    latitude: Number | None = Field(default=None, ge=-90, le=90, examples=[59.2087])
    longitude: Number | None = Field(default=None, ge=-180, le=180, examples=[10.9503])
    type: Annotated[PlaceType, Legacy(LEGACY_PLACE_TYPES)] | None = Field(
        default=None, examples=[PlaceType.OUTDOORS]
    )


class Destination(_Section):
    """Where the person is now, when the crew leaves: decides how urgent the follow-up is."""

    type: DestinationType | None = Field(default=None, examples=[DestinationType.HOSPITAL])
    name: ShortText | None = Field(
        default=None, description="The place's name: a ward, a shelter.", examples=["Akuttposten"]
    )


class Person(_Section):
    national_id: NationalIdStr | None = Field(
        default=None, description="Fødselsnummer or D-nummer; refused if the check digits fail."
    )
    name: ShortText | None = None
    phone: PhoneStr | None = Field(default=None, description="Stored as E.164.")
    birth_year: Integer | None = Field(default=None, ge=1900, le=2100)
    sex: Sex | None = None
    age_band: AgeBand | None = Field(
        default=None,
        examples=[AgeBand.ADULT],
        description="Kept even when the person objects (a minor changes who consents and who "
        "is told), never shown on an anonymous alert. Derived from the national id or birth "
        "year when absent.",
    )
    homeless: Boolean | None = None
    children_in_household: Boolean | None = Field(
        default=None, description="Children under 18 in the household (hpl § 10a)."
    )


class Scene(_Section):
    """Who was there. Who called 113 is never shown to relatives or non-health staff."""

    others_present: Boolean | None = Field(default=None, examples=[True])
    relative_present: Boolean | None = Field(default=None, examples=[False])
    relative_called_113: Boolean | None = Field(default=None, examples=[False])


class Naloxone(_Section):
    given: Boolean | None = Field(default=None, examples=[True])
    by: list[NaloxoneGiver] | None = Field(
        default=None, max_length=3, examples=[[NaloxoneGiver.BYSTANDER, NaloxoneGiver.AMBULANCE]]
    )
    route: NaloxoneRoute | None = Field(default=None, examples=[NaloxoneRoute.NASAL])
    doses: Integer | None = Field(default=None, ge=0, le=20, examples=[2])
    last_dose_at: BoundedInstant | None = Field(
        default=None,
        description="When the last dose was given, with a UTC offset: naloxone wears off "
        "before the opioid, so the risk window runs from here. Within 24 hours of "
        "`occurred_at`.",
        examples=["2026-11-22T23:52:00+01:00"],
    )


class Severity(_Section):
    unconscious: Boolean | None = Field(default=None, examples=[True])
    breathing_stopped: Boolean | None = Field(default=None, examples=[True])
    cardiac_arrest: Boolean | None = Field(default=None, examples=[False])
    cpr_given: Boolean | None = Field(default=None, examples=[False])


class Clinical(_Section):
    outcome: Outcome | None = Field(default=None, examples=[Outcome.DECLINED_TRANSPORT])
    observed_two_hours: Boolean | None = Field(
        default=None, description="At least two hours' observation after naloxone."
    )
    substances: list[Annotated[Substance, Legacy(LEGACY_SUBSTANCES)]] | None = Field(
        default=None, max_length=10, examples=[[Substance.HEROIN, Substance.BENZODIAZEPINE]]
    )
    substance_certainty: Certainty | None = Field(default=None, examples=[Certainty.REPORTED])
    drug_description: ShortText | None = Field(
        default=None,
        description="What the drug looked like or was called, for drug warnings. Dropped if "
        "it holds personal data (a national id, a phone number, the person's name).",
        examples=["Blå tabletter merket «M30»"],
    )
    naloxone_given: Boolean | None = Field(
        default=None,
        description="Deprecated: use `naloxone.given`.",
        json_schema_extra={"deprecated": True},
    )
    naloxone_doses: Integer | None = Field(
        default=None,
        ge=0,
        le=20,
        description="Deprecated: use `naloxone.doses`.",
        json_schema_extra={"deprecated": True},
    )


class Consent(_Section):
    state: ConsentState = Field(description="What the person said about sharing.")
    recipients: list[ConsentRecipient] = Field(
        default_factory=list,
        description="With `consented`: who beyond the overdose team may be told. The police "
        "cannot be named (refused with 422): they are told only by a recorded decision "
        "(hpl § 31, § 23 nr. 4).",
    )
    categories: ConsentCategories | None = Field(
        default=None,
        description="With `consented`: which kinds of data may be shared; all if absent. "
        "What no recipient may see is not stored at all.",
    )


class Reporter(_Section):
    unit: ShortText | None = Field(default=None, examples=["Ambulanse Fredrikstad 2"])
    callback_phone: PhoneStr | None = Field(default=None, examples=["+4769000000"])
    type: ReporterType | None = Field(default=None, examples=[ReporterType.AMBULANCE])


class AlertContent(LenientModel):
    """The optional sections an alert and its supplements share."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

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


class AlertIn(AlertContent):
    """An overdose alert as a dispatch system sends it."""

    STRICT: ClassVar[tuple[str, ...]] = REQUIRED_FIELDS

    model_config = ConfigDict(
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra={"examples": [ALERT_EXAMPLE, ALERT_V1_EXAMPLE]},
    )

    dispatch_incident_id: Annotated[
        SafeText,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"^\S+$"),
    ] = Field(description="The dispatch system's incident id: the idempotency key.")
    occurred_at: BoundedInstant = Field(
        description="When it happened, with a UTC offset. At most `INTAKE__MAX_AGE_DAYS` "
        "(365) days before and `INTAKE__MAX_FUTURE_MINUTES` (60) minutes after the service's "
        "clock: other times are refused (422) as the sign of a wrong clock or time zone."
    )
    municipality: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")] = Field(
        description="Kommunenummer (4 digits), e.g. 3107 Fredrikstad."
    )
    kind: AlertKind = Field(description="`fatal` needs no outcome, or `deceased`.")
    consent: Consent | None = Field(
        default=None,
        description="Absent means `not_asked`. A consent that cannot be read is treated as "
        "`objected`, the most protective reading.",
    )
    reporter: Reporter | None = None

    @model_validator(mode="after")
    def _tidy(self) -> Self:
        return self.tidy(occurred_at=self.occurred_at)


class SupplementIn(AlertContent):
    """What the crew learned after the alert: later consent, the outcome, where the person
    went, a correction. Only the fields given change; the rest of the alert stays."""

    # An odd id would make a retry a second version, and an odd kind would leave the
    # correction unmade: both are refused, not dropped.
    STRICT: ClassVar[tuple[str, ...]] = ("supplement_id", "kind")

    model_config = ConfigDict(
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra={"examples": [SUPPLEMENT_EXAMPLE]},
    )

    supplement_id: (
        Annotated[
            SafeText,
            StringConstraints(
                strip_whitespace=True, min_length=1, max_length=100, pattern=r"^\S+$"
            ),
        ]
        | None
    ) = Field(
        default=None,
        description="The sender's id of this supplement, to make a retry safe: the same id "
        "with the same content answers the version stored; with other content, 409. An "
        "invalid id is refused (422), not dropped.",
    )
    kind: AlertKind | None = Field(
        default=None,
        description="A correction of the kind: `fatal` when the person died. Unlike the other "
        "optional fields, an invalid kind is refused (422), not dropped.",
    )

    @model_validator(mode="after")
    def _tidy(self) -> Self:
        return self.tidy(occurred_at=None)
