"""Alert intake: check the sender may report for the municipality, minimise, seal, triage,
store once, and start what triage decided (page now, in working hours, the leader, nobody).

Personal data is sealed here and opened only by :mod:`app.alerts.disclosure`.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import admission, anonymity, group_rule, repository, sealing
from app.alerts.clients import Sender
from app.alerts.enums import AlertStatus
from app.alerts.minimise import (
    CountedConsent,
    Minimised,
    age_band_of,
    content_consent,
    minimise,
)
from app.alerts.responses import AlertOut, TriageOut
from app.alerts.schemas.alert_in import AlertIn
from app.alerts.schemas.sections import Consent
from app.alerts.service import alert_status
from app.config.sections import IntakeSettings
from app.consent import fields as consent_fields
from app.consent import rules as consent_rules
from app.consent.enums import ConsentState, DataCategory, Recipient
from app.errors import Conflict, InvalidFields
from app.escalation import service as escalation_service
from app.informing import service as informing
from app.informing.models import InformTrigger
from app.overdose.enums import (
    AlertKind,
    DestinationType,
    Intent,
    Outcome,
    SeveritySign,
    SuicidalThoughts,
)
from app.timeline import service as timeline
from app.timeline.models import AlertEventKind
from app.timeline.schemas import TimelineEntry
from app.triage import rules as triage_rules
from app.triage import service as triage_service
from app.triage.rules import OSLO


@dataclass(frozen=True)
class IntakeResult:
    alert: AlertOut
    created: bool


async def receive_alert(
    sender: Sender,
    alert_in: AlertIn,
    *,
    municipalities: Collection[str],
    intake: IntakeSettings,
) -> IntakeResult:
    """Store a new alert and, in the same transaction, start what its triage decided; a
    retry of one stored already answers its status.

    `municipalities`: those the client may report for (app/auth/municipalities.py).
    """
    session, now = sender.session, sender.now
    admission.check_occurred_at(alert_in.occurred_at, now=now, intake=intake)
    if refused := alert_in.refusals(kind=alert_in.kind):
        raise InvalidFields(refused)
    await admission.check_may_report(session, alert_in.municipality, municipalities)
    # Minimised first: what nobody may see never reaches a column, a hash or the fingerprint.
    # Under 16 the parents consent (docs/rules.md, "Minors"): the consent that counts first.
    day = alert_in.occurred_at.astimezone(OSLO).date()
    consent = content_consent(alert_in, age_band=age_band_of(alert_in, on=day))
    kept = minimise(alert_in, on=day, consent=consent.context)
    # Of what was sent and may be kept, before the group rule: a retry is recognised
    # whatever the counts say by then.
    fingerprint = sender.hasher.fingerprint(kept.canonical)
    objected = consent.context.state is ConsentState.OBJECTED
    if objected:
        kept = await group_rule.anonymous_kept(
            session, sender.cipher, kept, municipality_code=alert_in.municipality, now=now
        )
    table = await triage_service.table_for(session, municipality_code=alert_in.municipality)
    facts = facts_of(kept.sent, kind=alert_in.kind, consent=consent.context.state)
    decided = triage_rules.triage(facts, table, now=now)
    values = _columns_of(sender, alert_in, kept, decided, consent, fingerprint=fingerprint)
    fingerprints = sender.hasher.fingerprints(kept.canonical)
    if sender.hasher.retired and await _known_under_retired_key(sender, alert_in):
        return await _repeated(sender, alert_in, fingerprints=fingerprints)
    if await repository.insert_unless_exists(session, values):
        # An objected alert's timeline keeps the hour, as its other times.
        at = anonymity.to_the_hour(now) if objected else now
        await _started(
            session, alert_in, kept, decided, consent.context, alert_id=values["id"], now=at
        )
        # Built from the values: constructing the ORM object just to read it back costs more.
        return IntakeResult(
            alert=_new_alert_out(values, decided, incident_id=alert_in.dispatch_incident_id),
            created=True,
        )
    return await _repeated(sender, alert_in, fingerprints=fingerprints)


async def _known_under_retired_key(sender: Sender, alert_in: AlertIn) -> bool:
    """The client sent this incident before the hash key was rotated, and its hash was not
    re-hashed (an objected alert keeps no incident id to re-hash from): a retry, not a new
    alert (docs/rules.md, "Key rotation")."""
    retired = sender.hasher.dispatch_incidents(alert_in.dispatch_incident_id)[1:]
    existing = await repository.get_by_incident(
        sender.session, client_id=sender.client_id, incident_hashes=retired
    )
    return existing is not None


async def _started(
    session: AsyncSession,
    alert_in: AlertIn,
    kept: Minimised,
    decided: triage_rules.Triage,
    consent: consent_rules.ConsentContext,
    *,
    alert_id: uuid.UUID,
    now: datetime,
) -> None:
    """What a new alert sets going, in its transaction: its timeline, the escalation triage
    asks for, and the duty to tell the person of what was shared without consent."""
    timeline.record(session, alert_id=alert_id, kind=AlertEventKind.RECEIVED, at=now)
    record_triage(session, alert_id=alert_id, decided=decided, now=now)
    await start(
        session,
        alert_id=alert_id,
        municipality_code=alert_in.municipality,
        occurred_at=alert_in.occurred_at,
        decided=decided,
        now=now,
    )
    open_inform_duty(session, alert_id=alert_id, consent=consent, personal=kept.personal, now=now)


async def _repeated(
    sender: Sender, alert_in: AlertIn, *, fingerprints: Sequence[str]
) -> IntakeResult:
    """The client sent this incident before: the same content is a retry, answered with the
    alert's status; other content is a conflict that says how to add to it.

    `fingerprints`: the content's under the current hash key and each retired one, so a retry
    across a rotation of the hash key is still a retry (docs/rules.md, "Key rotation")."""
    session = sender.session
    existing = await repository.get_by_incident(
        session,
        client_id=sender.client_id,
        incident_hashes=sender.hasher.dispatch_incidents(alert_in.dispatch_incident_id),
    )
    if existing is None:  # pragma: no cover - the conflicting row cannot vanish: no deletes
        raise Conflict("The alert could not be stored; retry.")
    if existing.request_fingerprint not in fingerprints:
        raise Conflict(
            f"Incident {alert_in.dispatch_incident_id} was already reported with other content "
            f"(alert {existing.id}). To add to it or correct it, POST a supplement to "
            f"/v1/alerts/{existing.id}/supplements; for a new alert send a new dispatch "
            "incident id.",
            alert_id=str(existing.id),
            supplements=f"/v1/alerts/{existing.id}/supplements",
        )
    status = await alert_status(session, existing, cipher=sender.cipher)
    # An objected alert keeps no incident id: the retry names it.
    status.dispatch_incident_id = alert_in.dispatch_incident_id
    return IntakeResult(alert=status, created=False)


def facts_of(
    personal: Mapping[str, Any], *, kind: AlertKind, consent: ConsentState
) -> triage_rules.TriageFacts:
    """What triage reads of an alert's values (path -> value), taken before minimisation:
    what happened decides what happens, even where the consent keeps it from being stored."""
    outcome, destination = personal.get("clinical.outcome"), personal.get("destination.type")
    return triage_rules.TriageFacts(
        kind=kind,
        consent=consent,
        outcome=Outcome(outcome) if outcome else None,
        destination=DestinationType(destination) if destination else None,
        severity=frozenset(f for f in SeveritySign if personal.get(f"severity.{f.value}")),
        suicide_risk=suicide_risk(personal),
    )


def suicide_risk(personal: Mapping[str, Any]) -> bool:
    """The crew said the overdose was meant, or the person expressed suicidal thoughts
    (docs/rules.md, "Suicide risk")."""
    return (
        personal.get("clinical.intent") == Intent.SUICIDAL
        or personal.get("clinical.suicidal_thoughts") == SuicidalThoughts.YES
    )


def triage_columns(decided: triage_rules.Triage) -> dict[str, Any]:
    return {
        "triage_action": decided.action.value,
        "triage_reason": decided.reason,
        "triage_page_at": decided.page_at,
        "triage_first_contact_ward": decided.first_contact_ward,
    }


def record_triage(
    session: AsyncSession, *, alert_id: uuid.UUID, decided: triage_rules.Triage, now: datetime
) -> None:
    timeline.record(
        session,
        alert_id=alert_id,
        kind=AlertEventKind.TRIAGED,
        at=now,
        action=decided.action.value,
        page_at=decided.page_at.isoformat() if decided.page_at else None,
        reason=decided.reason,
    )


async def start(
    session: AsyncSession,
    *,
    alert_id: uuid.UUID,
    municipality_code: str,
    occurred_at: datetime,
    decided: triage_rules.Triage,
    now: datetime,
) -> None:
    """Open the escalation triage asks for; `no_page` opens none.

    Raises NoTeamForMunicipality (rolling the alert back) when somebody is to be told and no
    team receives the municipality's alerts: the dispatcher must phone instead.
    """
    if decided.page_at is None:
        return
    paging = escalation_service.Paging.of(
        decided, alert_id=alert_id, municipality_code=municipality_code, occurred_at=occurred_at
    )
    await escalation_service.open_escalation(session, paging, now=now)


def disclosed_at_intake(
    consent: consent_rules.ConsentContext, personal: Mapping[str, Any]
) -> list[DataCategory]:
    """What AMK discloses to the team without consent by sending the alert (hpl § 25)."""
    if consent.state not in (ConsentState.NOT_ASKED, ConsentState.UNABLE):
        return []
    present = {consent_fields.CATEGORY_OF[p] for p in personal if p in consent_fields.CATEGORY_OF}
    allowed = consent_rules.allowed_categories(consent, Recipient.ON_DUTY_HEALTH)
    return sorted(present & allowed)


def open_inform_duty(
    session: AsyncSession,
    *,
    alert_id: uuid.UUID,
    consent: consent_rules.ConsentContext,
    personal: Mapping[str, Any],
    now: datetime,
) -> None:
    """What `personal` AMK sends without consent is disclosed to the team: the person must be
    told what was shared (pbrl § 3-6). Intake and each supplement open such a duty."""
    shared = disclosed_at_intake(consent, personal)
    if shared:
        informing.open_duty(
            session,
            alert_id=alert_id,
            trigger=InformTrigger.INTAKE,
            recipient="overdose team (hpl § 25)",
            categories=shared,
            now=now,
        )


def _columns_of(
    sender: Sender,
    alert_in: AlertIn,
    kept: Minimised,
    decided: triage_rules.Triage,
    counted: CountedConsent,
    *,
    fingerprint: str,
) -> dict[str, Any]:
    reporter = alert_in.reporter
    cipher, hasher = sender.cipher, sender.hasher
    alert_id = uuid.uuid4()
    national_id = kept.personal.get("person.national_id")
    # An objected alert keeps its municipality, kind, hour and what the group rule lets it
    # keep, nothing more (docs/rules.md, "Objected alerts: what is kept").
    objected = counted.context.state is ConsentState.OBJECTED
    hour = anonymity.to_the_hour if objected else _as_is
    consent = consent_columns(counted, sent=alert_in.consent)
    if objected:
        reporter = None
        consent.update(consent_recipients=[], consent_categories=None, consent_given_by=None)
    return {
        "id": alert_id,
        "client_id": sender.client_id,
        "dispatch_incident_hash": hasher.dispatch_incident(alert_in.dispatch_incident_id),
        "dispatch_incident_sealed": (
            None
            if objected
            else sealing.seal_incident(
                cipher, alert_id=alert_id, incident_id=alert_in.dispatch_incident_id
            )
        ),
        "request_fingerprint": fingerprint,
        "municipality_code": alert_in.municipality,
        "kind": alert_in.kind.value,
        "occurred_at": hour(alert_in.occurred_at),
        "received_at": hour(sender.now),
        "status": AlertStatus.RECEIVED.value,
        **consent,
        **sealing.columns_of(cipher, alert_id=alert_id, personal=kept.personal),
        "national_id_hash": hasher.national_id(national_id) if national_id else None,
        "reporter_sealed": sealing.seal_reporter(
            cipher,
            alert_id=alert_id,
            unit=reporter.unit if reporter else None,
            callback_phone=reporter.callback_phone if reporter else None,
        ),
        "reporter_type": reporter.type.value if reporter and reporter.type else None,
        **triage_columns(decided),
        "version": 1,
        "dropped_fields": [d.model_dump() for d in kept.dropped],
        "inform_person_required": False,
        "shared_without_consent": [],
    }


def consent_columns(counted: CountedConsent, *, sent: Consent | None = None) -> dict[str, Any]:
    """The alert's consent columns: the consent that counts, who gave the one recorded, and
    the recorded state where the rule for minors made it count as another. `sent`: the
    consent as sent, to keep its lists in the sender's order where it counts as sent."""
    consent = counted.context
    recipients = sorted(r.value for r in consent.recipients)
    categories = None if consent.categories is None else sorted(consent.categories)
    if sent is not None and not counted.minor.not_counted:
        recipients = [r.value for r in sent.recipients]
        categories = None if sent.categories is None else list(sent.categories)
    return {
        "consent_state": consent.state.value,
        "consent_recipients": recipients,
        # [] is a consent to share no category; None (absent) is all of them.
        "consent_categories": None if categories is None else [c.value for c in categories],
        "consent_given_by": counted.given_by.value if counted.given_by else None,
        "consent_recorded_state": (
            counted.recorded.state.value if counted.minor.not_counted else None
        ),
    }


def _as_is(instant: datetime) -> datetime:
    return instant


def _new_alert_out(
    values: dict[str, Any], decided: triage_rules.Triage, *, incident_id: str
) -> AlertOut:
    """As `alert_status` would answer: received and triaged, its first step due at page_at."""
    received = values["received_at"]
    return AlertOut(
        next_step_due_at=decided.page_at,
        timeline=[
            TimelineEntry(at=received, kind=AlertEventKind.RECEIVED),
            TimelineEntry(
                at=received,
                kind=AlertEventKind.TRIAGED,
                action=decided.action.value,
                page_at=decided.page_at,
                reason=decided.reason,
            ),
        ],
        triage=TriageOut(
            action=decided.action,
            page_at=decided.page_at,
            first_contact_ward=decided.first_contact_ward,
            reason=decided.reason,
        ),
        id=values["id"],
        dispatch_incident_id=incident_id,
        municipality=values["municipality_code"],
        kind=values["kind"],
        status=values["status"],
        consent_state=values["consent_state"],
        received_at=values["received_at"],
        dropped_fields=values["dropped_fields"],
        version=1,
    )
