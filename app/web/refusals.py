"""The services' refusals in the member's words (the services say why in English, for
integrators): a national id, a phone number, a name from the cluster, an SMS too long, and
the models' too short / too long; anything else is "ugyldig valg eller tekst"."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import ValidationError

from app.errors import Conflict, DomainError
from app.i18n import N_, Words

_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"national id"), N_("warnings.reason.national_id")),
    (re.compile(r"phone number"), N_("warnings.reason.phone")),
    (re.compile(r"name from an alert|person's name"), N_("warnings.reason.name")),
    (re.compile(r"the SMS would be"), N_("warnings.reason.sms_too_long")),
    (re.compile(r"in the future"), N_("warnings.reason.future")),
    (re.compile(r"substance only once"), N_("warnings.reason.invalid")),
)
_TYPES = {
    "string_too_short": N_("warnings.reason.too_short"),
    "string_too_long": N_("warnings.reason.too_long"),
    "missing": N_("warnings.reason.too_short"),
}


def worded(messages: Iterable[tuple[str, str]], words: Words) -> str:
    """Each (type, message) of a refusal in the member's words, each reason once."""
    said: list[str] = []
    for kind, message in messages:
        keys = [key for pattern, key in _REASONS if pattern.search(message)]
        if not keys:
            keys = [_TYPES.get(kind, "warnings.reason.invalid")]
        for key in keys:
            if words.gettext(key) not in said:
                said.append(words.gettext(key))
    return "; ".join(said) or words.gettext("warnings.reason.invalid")


def reason_of_invalid(exc: ValidationError, words: Words) -> str:
    return worded(((e["type"], str(e["msg"])) for e in exc.errors()), words)


def service_reasons(exc: DomainError) -> list[str]:
    """The reasons a service gave for each field it refused (none for a refusal without)."""
    errors = exc.extra.get("errors") or []
    return [str(e["reason"]) for e in errors if isinstance(e, dict) and e.get("reason")]


def reason_of(exc: DomainError, words: Words) -> str:
    if isinstance(exc, Conflict):
        return words.gettext("warnings.reason.conflict")
    reasons = service_reasons(exc) or [exc.detail]
    return worded((("value_error", r) for r in reasons), words)
