"""The form for crews, read strictly (pure: no I/O): what the crew typed becomes the alert as
`POST /v1/alerts` takes it, or each field's error in the reporter's words.

The API is lenient (odd optional values are dropped and listed); the form is not: a crew at
the scene can correct a typo at once, so every value that fails is shown beside its field and
nothing is sent until the form is right. What a crew is asked (docs/README "The form for
crews"): the municipality among the reporter's, alive or dead, the outcome and where the
person is now, the consent questions as asked at the scene, and optionally the time, the
place, the person and naloxone.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.i18n import N_, OSLO, Words
from app.instants import bounded_instant
from app.norway.national_id import InvalidNationalId, parse_national_id
from app.norway.phone import InvalidPhoneNumber, to_e164
from app.overdose.enums import DestinationType, Outcome, PlaceType

OUTCOMES = tuple(o.value for o in Outcome if o is not Outcome.DECEASED)
"""The outcomes a crew chooses for a survived overdose (a death is `deceased`)."""
DESTINATIONS = tuple(d.value for d in DestinationType if d is not DestinationType.LEGEVAKT)
"""Where the person is now; not the deprecated `legevakt`, which says neither."""
PLACE_TYPES = tuple(p.value for p in PlaceType)
CONSENT = {
    "yes": "consented",
    "objects": "objected",
    "could_not_ask": "unable",
    "not_asked": "not_asked",
}
"""The answer to "may the municipality contact you?" as the crew gives it -> consent state."""
TEXT_FIELDS = (
    "incident", "opened_at", "municipality", "kind", "outcome", "destination", "consent",
    "relatives", "time", "place", "place_type", "name", "birth_year", "national_id", "phone",
    "naloxone", "doses", "callback",
)  # fmt: skip
MAX_TEXT = 200
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
# The time field opens a phone's numeric keypad (inputmode=numeric), which on an iPhone has
# no ':' or '.': four digits ("0950") must do too.
_TIME_DIGITS = re.compile(r"^(\d\d)(\d\d)$")


@dataclass(frozen=True)
class Reporting:
    """Who sends and where they may: from the reporter's sign-in."""

    reporter_id: uuid.UUID
    municipalities: Collection[str]
    reporter_type: str
    unit: str | None


@dataclass
class FormResult:
    values: dict[str, str]
    """What was typed (trimmed), to show again beside the errors."""
    errors: dict[str, str] = field(default_factory=dict)
    """Field -> the error in the reporter's words."""
    alert: dict[str, Any] = field(default_factory=dict)
    """The alert as `POST /v1/alerts` takes it (when there are no errors)."""


def incident_id(reporter_id: uuid.UUID, incident: str) -> str:
    """The dispatch incident id of a form: the reporter's own, so a resend of the same form
    is the same incident and nobody else's form can be."""
    return f"skjema-{reporter_id.hex}-{incident}"


def read_form(
    form: Mapping[str, str], *, reporting: Reporting, now: datetime, words: Words
) -> FormResult:
    values = {k: str(form.get(k, "")).strip()[: MAX_TEXT + 1] for k in TEXT_FIELDS}
    result = FormResult(values=values)
    check = _Checker(result, words)
    body: dict[str, Any] = {}
    opened = check.opened_at(values["opened_at"], now)
    incident = check.incident(values["incident"])
    body["occurred_at"] = check.occurred_at(values["time"], opened).isoformat()
    body["municipality"] = check.one_of("municipality", reporting.municipalities, required=True)
    kind = check.one_of("kind", ("non_fatal", "fatal"), required=True)
    body["kind"] = kind or "non_fatal"
    body.update(_what_happened(check, fatal=kind == "fatal"))
    body.update(_person(check))
    body["reporter"] = {
        "type": reporting.reporter_type,
        "unit": reporting.unit,
        "callback_phone": check.phone("callback"),
    }
    if not result.errors:
        body["dispatch_incident_id"] = incident_id(reporting.reporter_id, incident)
        result.alert = _without_empty(body)
    return result


def _what_happened(check: _Checker, *, fatal: bool) -> dict[str, Any]:
    outcome = check.one_of("outcome", OUTCOMES, required=not fatal)
    if fatal and outcome:
        check.error("outcome", check.words.gettext("form.error.outcome_fatal"))
    consent = check.one_of("consent", tuple(CONSENT), required=not fatal)
    relatives = check.one_of("relatives", ("yes", "no"), required=False)
    if relatives == "yes" and consent != "yes":
        check.error("relatives", check.words.gettext("form.error.relatives"))
    naloxone = check.one_of("naloxone", ("yes", "no"), required=False)
    doses = check.number("doses", low=1, high=20, error=N_("form.error.doses"))
    if doses is not None and naloxone == "no":
        check.error("doses", check.words.gettext("form.error.doses_without_naloxone"))
    return {
        "clinical": {"outcome": "deceased" if fatal else outcome},
        "destination": {"type": check.one_of("destination", DESTINATIONS, required=False)},
        "consent": {
            "state": CONSENT[consent] if consent else "not_asked",
            "recipients": ["relatives"] if relatives == "yes" else [],
        },
        "place": {
            "description": check.text("place"),
            "type": check.one_of("place_type", PLACE_TYPES, required=False),
        },
        "naloxone": {
            "given": None if not naloxone else naloxone == "yes",
            "doses": doses,
        },
    }


def _person(check: _Checker) -> dict[str, Any]:
    return {
        "person": {
            "name": check.text("name"),
            "birth_year": check.number(
                "birth_year", low=1900, high=9999, digits=4, error=N_("form.error.birth_year")
            ),
            "national_id": check.national_id(),
            "phone": check.phone("phone"),
        }
    }


def _without_empty(value: Any) -> Any:
    """Sections and fields left empty are left out, as an API client would."""
    if isinstance(value, dict):
        kept = {k: _without_empty(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, {}, "")}
    return value


class _Checker:
    """Reads one value at a time, noting the first error of each field."""

    def __init__(self, result: FormResult, words: Words) -> None:
        self.values = result.values
        self.errors = result.errors
        self.words = words

    def error(self, name: str, message: str) -> None:
        """Notes `message` (in the reporter's words) unless the field has an error already."""
        self.errors.setdefault(name, message)

    def one_of(self, name: str, allowed: Collection[str], *, required: bool) -> str | None:
        value = self.values[name]
        if not value:
            if required:
                self.error(name, self.words.gettext("form.error.required"))
            return None
        if value not in allowed:
            self.error(name, self.words.gettext("form.error.choice"))
            return None
        return value

    def text(self, name: str) -> str | None:
        value = self.values[name]
        if len(value) > MAX_TEXT:
            self.error(name, self.words.gettext("form.error.too_long"))
            return None
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            self.error(name, self.words.gettext("form.error.characters"))
            return None
        return value or None

    def number(
        self, name: str, *, low: int, high: int, error: str, digits: int | None = None
    ) -> int | None:
        """A whole number from `low` to `high` in ASCII digits (exactly `digits` of them, if
        given: no leading zeros in a year), or None, noting `error` if the field is not one."""
        value = self.values[name]
        if not value:
            return None
        if (
            not (value.isascii() and value.isdigit())
            or (digits is not None and len(value) != digits)
            or not low <= int(value) <= high
        ):
            self.error(name, self.words.gettext(error))
            return None
        return int(value)

    def national_id(self) -> str | None:
        value = self.values["national_id"]
        if not value:
            return None
        try:
            return parse_national_id(value).value
        except InvalidNationalId:
            self.error("national_id", self.words.gettext("form.error.national_id"))
            return None

    def phone(self, name: str) -> str | None:
        value = self.values[name]
        if not value:
            return None
        try:
            return to_e164(value)
        except InvalidPhoneNumber:
            self.error(name, self.words.gettext("form.error.phone"))
            return None

    def incident(self, value: str) -> str:
        try:
            return str(uuid.UUID(value))
        except ValueError:
            self.error("form", self.words.gettext("form.error.stale"))
            return ""

    def opened_at(self, value: str, now: datetime) -> datetime:
        """When the form was opened (its hidden field): the time of the event by default."""
        try:
            # Bounded: a hidden field of year 1 could not be moved to Oslo time (a 500).
            opened = bounded_instant(datetime.fromisoformat(value))
        except ValueError:
            opened = None
        if opened is None or opened.tzinfo is None or opened > now + timedelta(minutes=5):
            self.error("form", self.words.gettext("form.error.stale"))
            return now
        return opened

    def occurred_at(self, value: str, opened: datetime) -> datetime:
        """The time typed (Oslo), on the day the form was opened, or the day before if that
        would lie after the form was opened; the opening time when none was typed."""
        if not value:
            return opened
        match = _TIME.match(_TIME_DIGITS.sub(r"\1:\2", value))
        if match is None:
            self.error("time", self.words.gettext("form.error.time"))
            return opened
        local = opened.astimezone(OSLO)
        at = local.replace(hour=int(match[1]), minute=int(match[2]), second=0, microsecond=0)
        if at > local + timedelta(minutes=5):
            at -= timedelta(days=1)
        return at
