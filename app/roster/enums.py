"""Vocabulary of the roster tables and API."""

from __future__ import annotations

from enum import StrEnum


class MemberRole(StrEnum):
    RUSKONSULENT = "ruskonsulent"
    SYKEPLEIER = "sykepleier"
    VERNEPLEIER = "vernepleier"
    MILJOTERAPEUT = "miljoterapeut"
    LEGE = "lege"
    LEDER = "leder"
    ANNET = "annet"


class Language(StrEnum):
    """The language of the SMS and pages a member gets."""

    NB = "nb"
    EN = "en"


class ShiftSource(StrEnum):
    MANUAL = "manual"
    ICAL = "ical"
