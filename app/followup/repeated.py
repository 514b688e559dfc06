"""Repeated overdoses: the same person, two or more non-fatal overdoses within a window (pure).

The same person is recognised only through `Alert.national_id_hash`, the keyed hash of the
national id, across every municipality this service runs for; never by name or by anything
else. An alert without a hash never links: no national id was given, the person objected
(an objected alert keeps none), or the identity was purged by a supplement.

The window is inclusive and counts back from the overdose of the case being opened: an earlier
non-fatal overdose at most the window before it (the same instant too) counts, one a second
more does not. Each municipality sets its window (`app.followup.settings`, 1 to 365 days,
`REPEAT_WINDOW` without a setting); the one that applies is the window of the municipality
whose case is being opened (the new alert's), and earlier alerts in any municipality count.
Only overdoses up to the current one count (an alert for an earlier overdose that arrives
late marks nothing retroactively). A fatal alert never counts.

A repeated overdose marks the survivor case a serious crisis and adds `extra_steps`: a
concern report to the person's GP or the coordinating unit, an urgent meeting the
coordinating unit convenes, and a prompt to consider compulsory measures under the
helse- og omsorgstjenesteloven chapter 10. The barneverns- og helsenemnda decides, on the
municipality's case; the service records that the prompt was considered, never a decision.
The coordinating unit is the one the municipality names in its follow-up settings
(`DEFAULT_COORDINATING_UNIT` without). docs/rules.md, "Repeated overdoses".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.followup.template_schema import (
    FollowupTemplate,
    OwnerRole,
    StepKind,
    StepTemplate,
    TemplateKind,
)

REPEAT_WINDOW = timedelta(days=30)
"""How far back an earlier non-fatal overdose of the same person counts (inclusive) in a
municipality that has not set its own window: a local choice of this service, not a source's
figure (the seed says «innen kort tid»; docs/rules.md, "Repeated overdoses")."""

DEFAULT_COORDINATING_UNIT = "koordinerende enhet"
"""Who convenes the urgent meeting and may receive the concern report, in a municipality
that has not named its own (e.g. «fagkonsulent rus»): the unit the municipality must have
(helse- og omsorgstjenesteloven § 7-3); seed `001` says «koordinerende instans»."""

REPEAT_THRESHOLD = 2
"""Non-fatal overdoses within the window, the current one included, that make a crisis."""


@dataclass(frozen=True, slots=True)
class Overdose:
    """What the rule needs of an alert: nothing about the person but the keyed hash."""

    alert_id: uuid.UUID
    national_id_hash: str | None
    occurred_at: datetime
    fatal: bool


def repeat_count(current: Overdose, others: Iterable[Overdose], *, window: timedelta) -> int:
    """Non-fatal overdoses of the current alert's person within `window` ending at its
    overdose, the current one included; 0 when the current alert cannot link (no hash) or is
    fatal. `window` is the setting of the municipality whose case is being opened."""
    if current.national_id_hash is None or current.fatal:
        return 0
    since = current.occurred_at - window
    earlier = {
        o.alert_id
        for o in others
        if o.alert_id != current.alert_id
        and o.national_id_hash is not None
        and o.national_id_hash == current.national_id_hash
        and not o.fatal
        and since <= o.occurred_at <= current.occurred_at
    }
    return 1 + len(earlier)


def is_serious_crisis(count: int) -> bool:
    return count >= REPEAT_THRESHOLD


def _extra_steps(unit: str) -> FollowupTemplate:
    return FollowupTemplate(
        kind=TemplateKind.SURVIVOR,
        name="Gjentatte overdoser: alvorlig krise",
        remind_before_hours=2,
        min_lead_hours=1,
        steps=[
            StepTemplate(
                key="repeat_concern_report",
                title=f"Bekymringsmelding sendes fastlegen eller {unit}"[:120],
                guidance="To eller flere ikke-dødelige overdoser innen kort tid: personen er i "
                f"en alvorlig krise. Meld bekymringen til fastlegen eller {unit} innenfor "
                "taushetsplikten: med samtykke, eller når det trengs for helsehjelpen "
                "(hpl § 25).",
                kind=StepKind.REPORT,
                owner=OwnerRole.LEADER,
                offset_hours=24,
            ),
            StepTemplate(
                key="repeat_urgent_meeting",
                title=f"Hastemøte: {unit} kaller inn tjenestene"[:120],
                guidance=f"{unit[:1].upper()}{unit[1:]} innkaller til hastemøtet, ikke "
                "teamlederen: be om møtet og tildel steget til den som holder kontakten. "
                "Ruskonsulent, fastlege, TSB/LAR og andre som følger opp personen lager en "
                "felles plan for de neste dagene.",
                kind=StepKind.MEETING,
                owner=OwnerRole.TEAM,
                offset_hours=48,
            ),
            StepTemplate(
                key="repeat_consider_chapter10",
                title="Vurder tvang etter helse- og omsorgstjenesteloven kapittel 10",
                guidance="Vurder om kommunen skal fremme sak om tilbakeholdelse uten samtykke "
                "(hol § 10-2, gravide § 10-3). Barneverns- og helsenemnda avgjør på kommunens "
                "sak. Her registreres at vurderingen er gjort og utfallet av den, ikke et "
                "vedtak.",
                kind=StepKind.TASK,
                owner=OwnerRole.LEADER,
                offset_hours=72,
            ),
        ],
    )


EXTRA_STEPS = _extra_steps(DEFAULT_COORDINATING_UNIT)
"""The steps a serious crisis adds to the case, after the template's own, with the default
coordinating unit (data, like the templates; a key the municipality's template already uses
is left out)."""


def extra_steps(
    existing_keys: Iterable[str], *, coordinating_unit: str = DEFAULT_COORDINATING_UNIT
) -> FollowupTemplate:
    """The extra steps naming the municipality's `coordinating_unit`, without the keys the
    case already has."""
    taken = set(existing_keys)
    template = _extra_steps(coordinating_unit)
    steps = [s for s in template.steps if s.key not in taken]
    return template.model_copy(update={"steps": steps})
