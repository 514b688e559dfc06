"""The closed vocabularies of an alert (BRIEF §3), shared by tables and API schemas."""

from __future__ import annotations

from enum import StrEnum


class AlertKind(StrEnum):
    NON_FATAL = "non_fatal"
    FATAL = "fatal"


class AlertStatus(StrEnum):
    RECEIVED = "received"
    NOTIFIED = "notified"
    ACKNOWLEDGED = "acknowledged"


class AckVia(StrEnum):
    """How an alert was taken."""

    LINK = "link"
    SMS = "sms"


class PlaceType(StrEnum):
    PRIVATE_HOME = "private_home"
    PUBLIC_PLACE = "public_place"
    SHELTER = "shelter"
    OTHER = "other"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class Substance(StrEnum):
    OPIOID = "opioid"
    BENZODIAZEPINE = "benzodiazepine"
    ALCOHOL = "alcohol"
    GHB = "ghb"
    STIMULANT = "stimulant"
    UNKNOWN = "unknown"


class Outcome(StrEnum):
    LEFT_AT_SCENE = "left_at_scene"
    OBSERVED_ON_SCENE = "observed_on_scene"
    TRANSPORTED = "transported"
    DECLINED_TRANSPORT = "declined_transport"
    DECEASED = "deceased"
