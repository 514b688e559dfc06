"""What of a validated alert is kept: never store what no recipient may see (docs/rules.md,
"Minimisation: never store what nobody may see").

Pure. Personal values are handled as a flat mapping from the field paths of
:mod:`app.consent.fields` (``person.name``) to JSON values, the form they are sealed and
disclosed in. A category no recipient may ever see under the consent is dropped whole, so a
consent that leaves identity out leaves no national id, and no hash of it, behind.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.alerts import anonymity
from app.alerts.age import derived_age_band
from app.alerts.schemas.content import AlertContent
from app.consent import fields as consent_fields
from app.consent import minors
from app.consent import rules as consent_rules
from app.consent.enums import ConsentGiver, ConsentRecipient, ConsentState, DataCategory
from app.errors import FieldProblem
from app.overdose.enums import AgeBand


def not_kept_reason(category: DataCategory) -> str:
    return f"nobody may see {category.value} data under this consent; not stored"


ANONYMOUS_REASON = "the person objected: only what cannot single them out is kept; not stored"
"""Why an objected alert keeps no reporter and no personal field beyond the anonymous ones
(docs/rules.md, "Objected alerts: what is kept")."""


@dataclass(frozen=True, slots=True)
class Minimised:
    personal: dict[str, Any]
    """Path -> value of every personal field that is kept and not empty, the age band too."""
    sent: dict[str, Any]
    """Path -> value of every personal field sent, before minimising: for rules that decide
    at once and store only their result (triage). Never stored."""
    dropped: list[FieldProblem]
    """Fields left out as invalid, then fields left out because nobody may see them."""
    canonical: str
    """The request as kept, as canonical JSON: what a retry must repeat."""


def consent_of(content: AlertContent) -> consent_rules.ConsentContext:
    consent = content.consent
    if consent is None:
        return consent_rules.ConsentContext(state=content.consent_state)
    return consent_rules.ConsentContext(
        state=consent.state,
        recipients=frozenset(ConsentRecipient(r) for r in consent.recipients),
        categories=None if consent.categories is None else frozenset(consent.categories),
    )


def age_band_of(content: AlertContent, *, on: date | None) -> AgeBand | None:
    """The age band the content gives, else the one derived from its national id or birth
    year on the day `on` (None: not derived)."""
    person = content.person
    if person is None:
        return None
    if person.age_band is not None:
        return person.age_band
    if on is None:
        return None
    return derived_age_band(national_id=person.national_id, birth_year=person.birth_year, on=on)


@dataclass(frozen=True, slots=True)
class CountedConsent:
    """The consent that counts for disclosure, and what the rule for minors made of the one
    recorded (docs/rules.md, "Minors")."""

    context: consent_rules.ConsentContext
    minor: minors.MinorConsent
    given_by: ConsentGiver | None
    recorded: consent_rules.ConsentContext


def counted_consent(
    recorded: consent_rules.ConsentContext,
    *,
    given_by: ConsentGiver | None,
    age_band: AgeBand | None,
) -> CountedConsent:
    """`recorded` as it counts: a consent given by someone who cannot give it for a person
    of `age_band` counts as `not_asked`, its recipients and categories with it."""
    minor = minors.effective_consent(recorded.state, given_by, age_band)
    context = consent_rules.ConsentContext(state=minor.state) if minor.not_counted else recorded
    return CountedConsent(context=context, minor=minor, given_by=given_by, recorded=recorded)


def content_consent(content: AlertContent, *, age_band: AgeBand | None) -> CountedConsent:
    """The content's own consent as it counts for a person of `age_band`."""
    given_by = content.consent.given_by if content.consent else None
    return counted_consent(consent_of(content), given_by=given_by, age_band=age_band)


def minimise(
    content: AlertContent,
    *,
    on: date | None,
    consent: consent_rules.ConsentContext | None = None,
) -> Minimised:
    """The alert (or supplement) as it may be stored. `on`: the day of the overdose, to
    derive the age band from a national id or birth year; None not to derive it. `consent`:
    the consent to apply, if not the content's own (a supplement under the alert's)."""
    dumped = content.model_dump(mode="json")
    personal = personal_of(dumped)
    if on is not None and consent_fields.AGE_BAND_FIELD not in personal:
        band = derived_age_band(
            national_id=personal.get("person.national_id"),
            birth_year=personal.get("person.birth_year"),
            on=on,
        )
        if band is not None:
            personal[consent_fields.AGE_BAND_FIELD] = band.value
    sent = dict(personal)
    dropped = list(content.dropped_fields)
    consent = consent or consent_of(content)
    kept = consent_rules.kept_categories(consent)
    for path in not_kept(personal, kept):
        del personal[path]
        _delete(dumped, path)
        dropped.append(
            FieldProblem(field=path, reason=not_kept_reason(consent_fields.CATEGORY_OF[path]))
        )
    if consent.state is ConsentState.OBJECTED:
        dropped.extend(_anonymised(dumped, personal))
    canonical = json.dumps(
        {"alert": dumped, "dropped": [d.model_dump() for d in dropped]},
        sort_keys=True,
        separators=(",", ":"),
    )
    return Minimised(personal=personal, sent=sent, dropped=dropped, canonical=canonical)


def _anonymised(dumped: dict[str, Any], personal: dict[str, Any]) -> list[FieldProblem]:
    """Leave an objected alert's values (in place) with only the anonymous fields and no
    reporter unit or callback number; the group rule (`anonymity.anonymous_values`) then
    decides which of those are kept, after the counts are read."""
    gone = sorted(p for p in personal if p not in anonymity.ANONYMOUS_FIELDS)
    reporter = dumped.get("reporter")
    if isinstance(reporter, dict):
        gone += [p for p in NOT_ANONYMOUS_REPORTER if reporter.get(p.partition(".")[2]) is not None]
    for path in gone:
        personal.pop(path, None)
        _delete(dumped, path)
    return [FieldProblem(field=path, reason=ANONYMOUS_REASON) for path in gone]


NOT_ANONYMOUS_REPORTER = ("reporter.unit", "reporter.callback_phone")
"""The reporting unit and its callback number: with the hour they point to the person."""


def personal_of(dumped: Mapping[str, Any]) -> dict[str, Any]:
    """Path -> value of the personal fields set in a model dump."""
    paths = (*consent_fields.CATEGORY_OF, consent_fields.AGE_BAND_FIELD)
    return {path: value for path in paths if (value := _get(dumped, path)) is not None}


def not_kept(personal: Iterable[str], kept: frozenset[DataCategory]) -> list[str]:
    """The paths among `personal` whose category is not kept (the age band always is)."""
    return sorted(
        path
        for path in personal
        if path in consent_fields.CATEGORY_OF and consent_fields.CATEGORY_OF[path] not in kept
    )


def _get(content: Mapping[str, Any], path: str) -> Any:
    section, _, name = path.partition(".")
    values = content.get(section)
    return values.get(name) if isinstance(values, dict) else None


def _delete(content: dict[str, Any], path: str) -> None:
    section, _, name = path.partition(".")
    values = content.get(section)
    if isinstance(values, dict):
        # A copy, so a dump shared with the caller is never changed behind its back.
        content[section] = {k: v for k, v in values.items() if k != name}
