"""An alert's anonymous facts, derived (pure) and stored (`refresh_facts`).

Where each fact lives:

- plain alert columns: municipality, kind, `occurred_at` (month, evening, weekend), age band,
  the national-id hash (`person_key`), `notified_at` and `acknowledged_at`;
- sealed categories, opened with the `FieldCipher` as the alerts code does
  (`app.alerts.sealing.personal_values`): identity (sex), place (destination type), situation
  (place type), acute risk (outcome, naloxone given and by whom), substances;
- the follow-up case (`app.followup.cases.models`): the survivor template's steps
  `REACHED_STEP` and `NEXT_APPOINTMENT_STEP`.

An objected alert (consent `objected`) keeps only municipality, hour, outcome and age band
(BRIEF § 10, `app.alerts.anonymity`): its fact holds the municipality, the kind, what the hour
gives (month, evening, weekend), and the outcome and age band where the alert kept them;
nothing else, whatever else a column might still hold.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts.models import Alert
from app.alerts.sealing import personal_values
from app.consent.enums import ConsentState, DataCategory
from app.followup.state import StepState
from app.i18n import OSLO
from app.overdose.enums import Substance
from app.privacy.crypto import FieldCipher
from app.statistics import repository

REACHED_STEP = "reach"
"""The survivor template's «Første kontakt med personen»: done means the person was reached.
A municipality's own template that names the step otherwise counts as unknown."""
NEXT_APPOINTMENT_STEP = "next_appointment"
"""The survivor template's «Neste avtale i hånden»: done means the person left the follow-up
with a next appointment (seed 003's "share with a next appointment")."""
REACHED_WITHIN = timedelta(hours=24)
"""Seed 003's "reached within 24 h", counted from the overdose (`occurred_at`)."""

WORKING_DAY_START = 8
WORKING_DAY_END = 16
"""Evenings (and nights) are Europe/Oslo hours outside 08-16, when the services are closed
("kvelder og helger er spesielt sårbare", seed 004)."""

SUBSTANCE_GROUP: Mapping[Substance, str] = {
    Substance.HEROIN: "opioid",
    Substance.OTHER_OPIOID: "opioid",
    Substance.LAR_MEDICINE: "opioid",
    Substance.BENZODIAZEPINE: "benzodiazepine",
    Substance.OTHER_PILLS: "other_medicine",
    Substance.PRESCRIPTION_MEDICINE: "other_medicine",
    Substance.ALCOHOL: "alcohol",
    Substance.GHB: "ghb",
    Substance.STIMULANT: "stimulant",
    Substance.UNKNOWN_OR_NEW: "unknown_or_new",
}
"""The groups substances are counted in: few enough that counts stay above 5."""
SUBSTANCE_GROUPS: tuple[str, ...] = tuple(dict.fromkeys(SUBSTANCE_GROUP.values()))

OBJECTED_KEEPS = ("clinical.outcome",)
"""Of the sealed values, what an objected alert's fact may take (with the plain age band)."""


@dataclass(frozen=True)
class Step:
    """A follow-up step as the facts read it."""

    state: StepState
    recorded_at: datetime | None


@dataclass(frozen=True)
class AlertValues:
    """An alert's values as opened: the input of `derive_fact`."""

    municipality_code: str
    kind: str
    occurred_at: datetime
    consent_state: ConsentState
    age_band: str | None
    national_id_hash: str | None
    notified_at: datetime | None
    acknowledged_at: datetime | None
    personal: Mapping[str, Any]
    """The opened sealed values, path -> value (`app.alerts.sealing.personal_values`)."""
    steps: Mapping[str, Step] | None
    """The follow-up case's steps by key; None without a case."""


_CARRIED_COLUMNS = {
    "municipality_code",
    "occurred_at",
    "consent_state",
    "age_band",
    "national_id_hash",
    "notified_at",
    "acknowledged_at",
}
"""The alert's columns `AlertValues` takes as they are (by the same names)."""


def is_evening(local: datetime) -> bool:
    return not WORKING_DAY_START <= local.hour < WORKING_DAY_END


def substance_groups(substances: Iterable[str] | None) -> list[str] | None:
    """The sorted groups of `substances`; None when none were reported."""
    if not substances:
        return None
    known = {member.value: member for member in Substance}
    return sorted({SUBSTANCE_GROUP[known[s]] for s in substances if s in known}) or None


def naloxone_facts(given: bool | None, by: Sequence[str] | None) -> tuple[bool | None, bool | None]:
    """(naloxone given, given by a bystander): a giver named means it was given; a bystander
    not named among the givers, or no naloxone, means not by a bystander; else unknown."""
    naloxone = True if by else given
    if by:
        return naloxone, "bystander" in by
    return naloxone, (False if naloxone is False else None)


def _reached(values: AlertValues) -> bool | None:
    step = values.steps.get(REACHED_STEP) if values.steps is not None else None
    if step is None:
        return None
    if step.state is not StepState.DONE or step.recorded_at is None:
        return False
    return step.recorded_at - values.occurred_at <= REACHED_WITHIN


def _next_appointment(values: AlertValues) -> bool | None:
    step = values.steps.get(NEXT_APPOINTMENT_STEP) if values.steps is not None else None
    return None if step is None else step.state is StepState.DONE


def _minutes(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, int((end - start).total_seconds() // 60))


def derive_fact(values: AlertValues) -> dict[str, Any]:
    """The fact columns of one alert (without alert_id, frozen and refreshed_at)."""
    local = values.occurred_at.astimezone(OSLO)
    fact: dict[str, Any] = {
        "municipality_code": values.municipality_code,
        "month": f"{local.year:04d}-{local.month:02d}",
        "kind": values.kind,
        "evening": is_evening(local),
        "weekend": local.weekday() >= 5,
        "age_band": values.age_band,
        "outcome": values.personal.get("clinical.outcome"),
        "destination": None,
        "substance_groups": None,
        "place_type": None,
        "sex": None,
        "naloxone": None,
        "naloxone_by_bystander": None,
        "person_key": None,
        "minutes_to_acknowledge": None,
        "reached_within_24h": None,
        "next_appointment": None,
    }
    if values.consent_state is ConsentState.OBJECTED:
        return fact
    personal = values.personal
    naloxone, by_bystander = naloxone_facts(
        personal.get("naloxone.given"), personal.get("naloxone.by")
    )
    fact.update(
        destination=personal.get("destination.type"),
        substance_groups=substance_groups(personal.get("clinical.substances")),
        place_type=personal.get("place.type"),
        sex=personal.get("person.sex"),
        naloxone=naloxone,
        naloxone_by_bystander=by_bystander,
        person_key=values.national_id_hash,
        minutes_to_acknowledge=_minutes(values.notified_at, values.acknowledged_at),
        reached_within_24h=_reached(values),
        next_appointment=_next_appointment(values),
    )
    return fact


_OPENED = (
    DataCategory.IDENTITY,
    DataCategory.PLACE,
    DataCategory.SITUATION,
    DataCategory.ACUTE_RISK,
    DataCategory.SUBSTANCES,
)
"""The sealed categories a fact reads (never contact or bystanders)."""
_FACT_FIELDS = frozenset(
    {
        "person.sex",
        "destination.type",
        "place.type",
        "clinical.outcome",
        "naloxone.given",
        "naloxone.by",
        "clinical.substances",
    }
)


def _opened(cipher: FieldCipher, alert: Alert) -> dict[str, Any]:
    """Only the sealed values a fact needs; on an objected alert only `OBJECTED_KEEPS`."""
    wanted = OBJECTED_KEEPS if alert.consent_state is ConsentState.OBJECTED else _FACT_FIELDS
    opened = personal_values(cipher, alert, _OPENED)
    return {path: value for path, value in opened.items() if path in wanted}


async def refresh_facts(
    session: AsyncSession,
    alert_ids: Sequence[uuid.UUID],
    *,
    cipher: FieldCipher,
    freeze: bool = False,
    now: datetime | None = None,
) -> int:
    """Upsert the fact of each of `alert_ids` from the alert's current data; how many were
    written. A frozen fact is left as it is; `freeze=True` freezes the ones written (the
    retention engine, just before it purges identity, in the same transaction). `now` is
    stored as `refreshed_at` (the caller's clock; None leaves it unset)."""
    if not alert_ids:
        return 0
    alerts = await repository.alerts(session, alert_ids)
    steps = await repository.counted_steps(
        session, alert_ids, keys=(REACHED_STEP, NEXT_APPOINTMENT_STEP)
    )
    written = 0
    for alert in alerts:
        values = AlertValues(
            **alert.model_dump(include=_CARRIED_COLUMNS),
            kind=alert.kind.value,
            personal=_opened(cipher, alert),
            steps={
                key: Step(StepState(state), recorded_at)
                for key, (state, recorded_at) in steps[alert.id].items()
            }
            if alert.id in steps
            else None,
        )
        row = {**derive_fact(values), "frozen": freeze, "refreshed_at": now}
        written += await repository.upsert_fact(session, alert.id, row)
    return written
