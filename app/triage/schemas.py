"""API models of a municipality's triage table (admin API)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from app.api.bodies import RequestBody, with_examples
from app.input_guard import refuse_control_characters
from app.norway.types import MobileStr
from app.overdose.enums import DestinationType, Outcome, SeveritySign
from app.strict import Boolean
from app.triage.rules import (
    DAY_SPEC_FORMS,
    DEFAULT_SHORT_DAYS,
    MAX_DAYS,
    MAX_RULES,
    TABLE_ACTIONS,
    TriageAction,
    day_text,
    parse_day,
)


class Weekday(StrEnum):
    """Days by name; their order is Python's weekday number (Monday 0)."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


WEEKDAYS = tuple(Weekday)
_HH_MM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_TABLE_ACTION_REASON = (
    "page_now or working_hours: objected (no_page) and fatal alerts are decided by fixed "
    "rules before the table"
)


def _table_action(value: Any) -> Any:
    if not isinstance(value, str) or value not in {a.value for a in TABLE_ACTIONS}:
        raise ValueError(_TABLE_ACTION_REASON)
    return value


TableAction = Annotated[
    TriageAction,
    BeforeValidator(_table_action),
    WithJsonSchema(
        {
            "type": "string",
            "enum": sorted(a.value for a in TABLE_ACTIONS),
            "description": "`page_now`: page the on-duty person at once, day or night. "
            "`working_hours`: page at once within working hours, otherwise at the start of "
            "the next working day (Oslo time, public holidays are not working days).",
        }
    ),
]


def _clock_time(value: str, info: ValidationInfo, *, first: str, then: str) -> str:
    """A time of day as HH:MM; the field `then` must come after the field `first` (validated
    before it, so `info.data` holds it unless it failed)."""
    if not _HH_MM.fullmatch(value):
        raise ValueError("a time of day as HH:MM, 00:00 to 23:59, e.g. 08:00")
    earlier = info.data.get(first)
    if info.field_name == then and earlier is not None and value <= earlier:
        raise ValueError(f"must be after the {first}")  # zero-padded HH:MM sorts as time
    return value


def _day(value: str) -> str:
    """A short or closed day as the table writes it (`rules.parse_day`), written back the one
    way the table shows it."""
    return day_text(parse_day(value))


DayText = Annotated[
    str,
    AfterValidator(_day),
    WithJsonSchema(
        {
            "type": "string",
            "description": f"A day: {DAY_SPEC_FORMS}.",
            "examples": ["12-24", "2027-12-27", "wednesday_before_maundy_thursday"],
        }
    ),
]

RULE_EXAMPLE: dict[str, Any] = {
    "action": "working_hours",
    "destinations": ["hospital", "legevakt_admitted"],
    "first_contact_ward": True,
}
DEFAULT_SHORT_DAY_TEXTS = [day_text(day) for day in DEFAULT_SHORT_DAYS]
WORKING_HOURS_EXAMPLE: dict[str, Any] = {
    "start": "08:00",
    "end": "15:30",
    "days": ["mon", "tue", "wed", "thu", "fri"],
    "short_days": DEFAULT_SHORT_DAY_TEXTS,
    "short_day_end": "12:00",
    "closed_days": ["2027-12-27", "2027-12-28", "2027-12-29", "2027-12-30"],
}
FATAL_CONTACT_EXAMPLE: dict[str, Any] = {"name": "Kommuneoverlegen", "mobile": "+4791234567"}
FATAL_EXAMPLE: dict[str, Any] = {
    "morning": "08:00",
    "evening": "22:00",
    "tell_at_night": False,
    "contact": FATAL_CONTACT_EXAMPLE,
}
TABLE_EXAMPLE: dict[str, Any] = {
    "rules": [
        {"action": "page_now", "severity_any": ["cardiac_arrest", "cpr_given"]},
        RULE_EXAMPLE,
    ],
    "working_hours": WORKING_HOURS_EXAMPLE,
    "fatal": FATAL_EXAMPLE,
}


class TriageRuleIn(RequestBody):
    """`action` when every condition given holds; a condition left out (or null) matches any
    alert, one that is given matches an alert with one of its values."""

    model_config = with_examples(RULE_EXAMPLE)

    action: TableAction
    outcomes: list[Outcome] | None = Field(
        default=None,
        description="The alert's outcome is one of these (an alert without one does not match).",
    )
    destinations: list[DestinationType] | None = Field(
        default=None,
        description="Where the person is now is one of these (an alert without "
        "a destination does not match).",
    )
    severity_any: list[SeveritySign] | None = Field(
        default=None, description="The alert has at least one of these severity signs."
    )
    first_contact_ward: Boolean = Field(
        default=False,
        description="The page tells staff to agree with the ward or institution first "
        "(«avtal med sykehus/institusjon»).",
    )

    @field_validator("outcomes", "destinations", "severity_any")
    @classmethod
    def _condition(cls, values: list[StrEnum] | None) -> list[StrEnum] | None:
        if values is None:
            return None
        if not values:
            raise ValueError("an empty list matches nothing: leave the condition out to match any")
        if len(set(values)) != len(values):
            raise ValueError("each value only once")
        return values


class WorkingHoursDoc(RequestBody):
    """Europe/Oslo wall-clock hours; the start is within working hours, the end is not."""

    model_config = with_examples(WORKING_HOURS_EXAMPLE)

    start: str = Field(
        default="08:00", examples=["08:00"], json_schema_extra={"pattern": _HH_MM.pattern}
    )
    end: str = Field(
        default="15:30", examples=["15:30"], json_schema_extra={"pattern": _HH_MM.pattern}
    )
    days: list[Weekday] = Field(
        default_factory=lambda: list(WEEKDAYS[:5]),
        max_length=len(WEEKDAYS),
        description="Working days; Norwegian public holidays are never working days.",
    )
    short_days: list[DayText] = Field(
        default_factory=lambda: list(DEFAULT_SHORT_DAY_TEXTS),
        max_length=MAX_DAYS,
        description="Days that end at `short_day_end`. Left out: the usual municipal "
        "working-time rules, the Wednesday before Maundy Thursday, 24 and 31 December. A short "
        "day that is a weekend or a public holiday is simply closed. `[]`: no short days.",
    )
    short_day_end: str = Field(
        default="12:00",
        examples=["12:00"],
        json_schema_extra={"pattern": _HH_MM.pattern},
        description="When a short day ends; given, after the start and before the usual end. "
        "Left out: 12:00, or the usual end if that is sooner (a short day that would end by "
        "its start is closed).",
    )
    closed_days: list[DayText] = Field(
        default_factory=list,
        max_length=MAX_DAYS,
        description="Days the municipality names as closed (e.g. 27-31 December): alerts for "
        "working hours wait for the next working day after them.",
    )

    @field_validator("start", "end", "short_day_end")
    @classmethod
    def _clock_time(cls, value: str, info: ValidationInfo) -> str:
        return _clock_time(value, info, first="start", then="end")

    @field_validator("short_days", "closed_days")
    @classmethod
    def _once(cls, days: list[str]) -> list[str]:
        if len(set(days)) != len(days):
            raise ValueError("each day only once")
        return days

    @field_validator("days")
    @classmethod
    def _days(cls, days: list[Weekday]) -> list[Weekday]:
        if not days:
            raise ValueError("at least one working day")
        if len(set(days)) != len(days):
            raise ValueError("each day only once")
        return sorted(days, key=WEEKDAYS.index)


def _one_line(text: str) -> str:
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise ValueError("contains a control character (such as a tab or a line break)")
    return text


ContactName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(refuse_control_characters),
    AfterValidator(_one_line),
]


class FatalContactDoc(RequestBody):
    """The municipality's named contact for fatal alerts, e.g. the kommuneoverlege or the
    crisis team: told at the same time as the leader, by an SMS without personal data."""

    model_config = with_examples(FATAL_CONTACT_EXAMPLE)

    name: ContactName = Field(
        description="Who it is: a role, a service or a person (1-100 characters), for the "
        "administrators; the SMS does not name it."
    )
    mobile: MobileStr = Field(
        description="A Norwegian mobile number (+47 4xxxxxxx or 9xxxxxxx); stored as E.164."
    )


class FatalDoc(RequestBody):
    """When the leader is told of a fatal alert: at once in the daytime on every day of the
    year (weekends and holidays included), and at night, from `evening` to `morning`
    (Europe/Oslo), at `morning`, unless `tell_at_night`; and whom the municipality names to
    be told at the same time (`contact`)."""

    model_config = with_examples(FATAL_EXAMPLE)

    morning: str = Field(
        default="08:00",
        examples=["08:00"],
        json_schema_extra={"pattern": _HH_MM.pattern},
        description="The night ends: a fatal alert of the night is told then.",
    )
    evening: str = Field(
        default="22:00",
        examples=["22:00"],
        json_schema_extra={"pattern": _HH_MM.pattern},
        description="The night starts: a fatal alert from then waits for the morning.",
    )
    tell_at_night: Boolean = Field(
        default=False, description="true: tell the leader at once at night too."
    )
    contact: FatalContactDoc | None = Field(
        default=None,
        description="The municipality's named contact for fatal alerts (e.g. the "
        "kommuneoverlege or the crisis team), told by SMS when the leader is told; null: "
        "the leader only.",
    )

    @field_validator("morning", "evening")
    @classmethod
    def _clock_time(cls, value: str, info: ValidationInfo) -> str:
        return _clock_time(value, info, first="morning", then="evening")


class TriageTableIn(RequestBody):
    """The municipality's rules, tried in order; the first that matches decides, and an
    alert no rule matches pages now. Fixed rules come first and cannot be changed: an
    `objected` (anonymous) alert pages nobody, and a fatal alert goes to the leader (by day
    at once, at night in the morning: `fatal`)."""

    model_config = with_examples(TABLE_EXAMPLE)

    rules: list[TriageRuleIn] = Field(max_length=MAX_RULES)
    working_hours: WorkingHoursDoc = Field(
        default_factory=WorkingHoursDoc,
        description="Left out: 08:00 to 15:30, Monday to Friday, short days as usual.",
    )
    fatal: FatalDoc = Field(
        default_factory=FatalDoc,
        description="Left out: at once by day, at 08:00 after a night from 22:00.",
    )

    @field_validator("rules")
    @classmethod
    def _reachable(cls, rules: list[TriageRuleIn]) -> list[TriageRuleIn]:
        for number, rule in enumerate(rules[:-1], start=1):
            if rule.outcomes is None and rule.destinations is None and rule.severity_any is None:
                raise ValueError(
                    f"rule {number} has no conditions and matches every alert: "
                    "the rules after it would never be used"
                )
        return rules


class TriageRuleOut(TriageRuleIn):
    """A rule of the table in force, numbered as the triage of an alert names it."""

    model_config = with_examples({"number": 1, **RULE_EXAMPLE})

    number: int = Field(
        ge=1,
        examples=[1],
        description="The rule's place in the table, from 1 (\"rule 1\" in an alert's triage). "
        "Leave it out on PUT: the order of the list numbers the rules.",
    )


class TriageTableDoc(BaseModel):
    """The triage table in force for the municipality."""

    municipality: str = Field(examples=["3107"])
    configured: bool = Field(
        description="false: the municipality has no table of its own and triages by the "
        "default shown here (hospital or admitted to the legevakt: working hours, with the "
        "ward as first contact; everything else pages now)."
    )
    rules: list[TriageRuleOut]
    working_hours: WorkingHoursDoc
    fatal: FatalDoc
    updated_at: datetime | None
