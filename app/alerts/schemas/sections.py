"""The optional sections of an alert, which a supplement shares (docs/rules.md).

Each section forbids fields it does not know; a value that fails its check is left out and
listed by the lenient base (:mod:`app.alerts.schemas.lenient`), the request still goes
through. Values of the first version are read as their replacements
(:mod:`app.alerts.schemas.legacy`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from app.alerts.schemas.legacy import ConsentCategories, Legacy
from app.api.bodies import RequestBody
from app.consent.enums import ConsentGiver, ConsentRecipient, ConsentState
from app.input_guard import refuse_control_characters
from app.instants import BoundedInstant
from app.norway.types import NationalIdStr, PhoneStr
from app.overdose.enums import (
    LEGACY_PLACE_TYPES,
    LEGACY_SUBSTANCES,
    AgeBand,
    Certainty,
    DestinationType,
    Intent,
    NaloxoneGiver,
    NaloxoneRoute,
    Outcome,
    PlaceType,
    ReporterType,
    Sex,
    Substance,
    SuicidalThoughts,
)
from app.strict import Boolean, Integer, Number

# Text with NUL or other control characters cannot be stored (PostgreSQL) or shown as it is:
# in an optional field it is dropped and listed, in the incident id it is a 422.
SafeText = Annotated[str, AfterValidator(refuse_control_characters)]
ShortText = Annotated[
    SafeText, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
PlaceText = Annotated[SafeText, StringConstraints(strip_whitespace=True, max_length=500)]


class Place(RequestBody):
    """Where the overdose happened."""

    description: PlaceText | None = Field(default=None, examples=["Utenfor Fredrikstad stasjon"])
    latitude: Number | None = Field(default=None, ge=-90, le=90, examples=[59.2087])
    longitude: Number | None = Field(default=None, ge=-180, le=180, examples=[10.9503])
    type: Annotated[PlaceType, Legacy(LEGACY_PLACE_TYPES)] | None = Field(
        default=None, examples=[PlaceType.OUTDOORS]
    )


class Destination(RequestBody):
    """Where the person is now, when the crew leaves: decides how urgent the follow-up is."""

    type: DestinationType | None = Field(
        default=None,
        examples=[DestinationType.HOSPITAL],
        description="`legevakt_sent_home` (observed and sent home: paged at once) or "
        "`legevakt_admitted` (ØHD or observation beds: like a hospital). `legevakt` alone is "
        "deprecated: still accepted and stored, triaged as paging at once unless the "
        "municipality's table names it.",
    )
    name: ShortText | None = Field(
        default=None, description="The place's name: a ward, a shelter.", examples=["Akuttposten"]
    )


class Person(RequestBody):
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


class Scene(RequestBody):
    """Who was there. Who called 113 is never shown to relatives or non-health staff."""

    others_present: Boolean | None = Field(default=None, examples=[True])
    relative_present: Boolean | None = Field(default=None, examples=[False])
    relative_called_113: Boolean | None = Field(default=None, examples=[False])


class Naloxone(RequestBody):
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


class Severity(RequestBody):
    unconscious: Boolean | None = Field(default=None, examples=[True])
    breathing_stopped: Boolean | None = Field(default=None, examples=[True])
    cardiac_arrest: Boolean | None = Field(default=None, examples=[False])
    cpr_given: Boolean | None = Field(default=None, examples=[False])


class Clinical(RequestBody):
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
    intent: Intent | None = Field(
        default=None,
        examples=[Intent.ACCIDENTAL],
        description="Was the overdose meant? The crew's answer (Helsedirektoratet's guideline "
        "for detoxification, «Oppfølging etter opioidoverdoser»). `suicidal` pages at once "
        "whatever the destination; the link page says so, the SMS never does.",
    )
    suicidal_thoughts: SuicidalThoughts | None = Field(
        default=None,
        examples=[SuicidalThoughts.NO],
        description="Did the person express suicidal thoughts? `yes` pages at once whatever "
        "the destination, as `intent` `suicidal`.",
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


class Consent(RequestBody):
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
    given_by: ConsentGiver | None = Field(
        default=None,
        examples=[ConsentGiver.PERSON],
        description="Who gave the consent: the person, or a parent or guardian (others with "
        "parental responsibility). Under 16 (`person.age_band` `under_12` or `12_15`) only the "
        "parents' consent counts (pbrl §§ 4-3, 4-4): a consent from the child alone counts as "
        "`not_asked`, and the case gets a step to inform and involve the parents. From 16 the "
        "person consents themselves. Absent: the person. An odd value is dropped and listed; "
        "the consent stands.",
    )


class Reporter(RequestBody):
    unit: ShortText | None = Field(default=None, examples=["Ambulanse Fredrikstad 2"])
    callback_phone: PhoneStr | None = Field(default=None, examples=["+4769000000"])
    type: ReporterType | None = Field(default=None, examples=[ReporterType.AMBULANCE])
