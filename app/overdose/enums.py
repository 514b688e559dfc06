"""The closed vocabularies of an overdose as a crew reports it (docs/rules.md), shared by the
alert and its triage.

Values follow Norwegian practice. Values of the first version that were replaced are listed
in the `LEGACY_*` mappings: still accepted for one version, read as their replacement, and
marked deprecated in the spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class AlertKind(StrEnum):
    NON_FATAL = "non_fatal"
    FATAL = "fatal"


class PlaceType(StrEnum):
    """Where the overdose happened."""

    OWN_HOME = "own_home"
    OTHERS_HOME = "others_home"
    """Someone else's home."""
    STAFFED_HOUSING = "staffed_housing"
    """Staffed municipal housing (bemannet kommunal bolig)."""
    TEMPORARY_HOUSING = "temporary_housing"
    """Temporary housing, emergency shelter (midlertidig bolig, akuttovernatting)."""
    LOW_THRESHOLD = "low_threshold"
    """A low-threshold place or the injection room (lavterskeltilbud, sprøyterom)."""
    INSTITUTION = "institution"
    OUTDOORS = "outdoors"
    """Outdoors or another public place."""
    OTHER = "other"


LEGACY_PLACE_TYPES: Mapping[str, PlaceType] = MappingProxyType(
    {
        "private_home": PlaceType.OWN_HOME,
        "public_place": PlaceType.OUTDOORS,
        "shelter": PlaceType.TEMPORARY_HOUSING,
    }
)


class DestinationType(StrEnum):
    """Where the person is now, when the crew leaves.

    The legevakt is two places for triage (docs/rules.md, "Legevakt"): observed there and
    sent home (`legevakt_sent_home`, the high-risk night) and admitted to its observation or
    ØHD beds (`legevakt_admitted`, like a hospital). The earlier `legevakt` (before issue 20) said
    neither: it is still accepted (deprecated), stored as it was sent, and triaged as the
    safe choice, paging now, unless a municipality's table names it.
    """

    HOSPITAL = "hospital"
    """Admitted to hospital, or to Akuttposten."""
    LEGEVAKT_SENT_HOME = "legevakt_sent_home"
    """Observed at the legevakt and sent home: the high-risk night, page now."""
    LEGEVAKT_ADMITTED = "legevakt_admitted"
    """Admitted to the legevakt's øyeblikkelig hjelp døgnopphold (ØHD) or observation beds."""
    LEGEVAKT = "legevakt"
    """Deprecated: at the legevakt, without saying whether sent home or admitted. Use
    `legevakt_sent_home` or `legevakt_admitted`."""
    LOW_THRESHOLD = "low_threshold"
    """A municipal low-threshold place or emergency shelter."""
    HOME_ALONE = "home_alone"
    WITH_OTHERS = "with_others"
    WITH_HOUSING_STAFF = "with_housing_staff"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class AgeBand(StrEnum):
    """Decides who consents and who is told (pbrl §§ 4-3, 4-4, 3-4)."""

    UNDER_12 = "under_12"
    AGED_12_15 = "12_15"
    AGED_16_17 = "16_17"
    ADULT = "adult"


class Substance(StrEnum):
    HEROIN = "heroin"
    OTHER_OPIOID = "other_opioid"
    LAR_MEDICINE = "lar_medicine"
    """Medicines of opioid-assisted treatment (LAR): methadone, buprenorphine."""
    BENZODIAZEPINE = "benzodiazepine"
    OTHER_PILLS = "other_pills"
    ALCOHOL = "alcohol"
    GHB = "ghb"
    STIMULANT = "stimulant"
    PRESCRIPTION_MEDICINE = "prescription_medicine"
    UNKNOWN_OR_NEW = "unknown_or_new"


LEGACY_SUBSTANCES: Mapping[str, Substance] = MappingProxyType(
    {
        # "opioid" did not tell heroin from the rest: read as an opioid not known to be heroin.
        "opioid": Substance.OTHER_OPIOID,
        "unknown": Substance.UNKNOWN_OR_NEW,
    }
)


class Certainty(StrEnum):
    """How the substances are known."""

    SUSPECTED = "suspected"
    REPORTED = "reported"
    """Said by the person or those present."""
    FOUND = "found"
    """Found at the scene."""


class Outcome(StrEnum):
    LEFT_AT_SCENE = "left_at_scene"
    OBSERVED_ON_SCENE = "observed_on_scene"
    TRANSPORTED = "transported"
    DECLINED_TRANSPORT = "declined_transport"
    DECEASED = "deceased"


class NaloxoneGiver(StrEnum):
    BYSTANDER = "bystander"
    STAFF = "staff"
    """Staff of a service: housing, low-threshold place, Feltpleien."""
    AMBULANCE = "ambulance"


class NaloxoneRoute(StrEnum):
    NASAL = "nasal"
    INTRAMUSCULAR = "intramuscular"
    INTRAVENOUS = "intravenous"


class ReporterType(StrEnum):
    AMBULANCE = "ambulance"
    AMK = "amk"
    LEGEVAKT = "legevakt"
    FELTPLEIEN = "feltpleien"
    HOUSING_STAFF = "housing_staff"
    LOW_THRESHOLD_SERVICE = "low_threshold_service"


class SeveritySign(StrEnum):
    """The signs of a life-threatening overdose, as flags of the `severity` section."""

    UNCONSCIOUS = "unconscious"
    BREATHING_STOPPED = "breathing_stopped"
    CARDIAC_ARREST = "cardiac_arrest"
    CPR_GIVEN = "cpr_given"


class Intent(StrEnum):
    """Whether the overdose was meant, as the crew was told or judged (Helsedirektoratet's
    guideline for detoxification, "Oppfølging etter opioidoverdoser"; docs/rules.md,
    "Suicide risk")."""

    ACCIDENTAL = "accidental"
    SUICIDAL = "suicidal"
    UNKNOWN = "unknown"


class SuicidalThoughts(StrEnum):
    """Whether the person expressed suicidal thoughts when the crew asked."""

    YES = "yes"
    NO = "no"
    NOT_ASKED = "not_asked"
