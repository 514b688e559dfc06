"""Supplements: what the crew learned after the alert, as a new version of it (docs/rules.md,
"Supplements: a new version, never an overwrite").

A supplement sets the fields it gives and leaves the rest; it may bring a later consent, the
outcome, where the person went, or a correction. Each is a version with its time and sender;
the personal values it replaced are kept sealed in that version, so nothing is silently
overwritten, and the timeline says what changed (paths, never values).

The consent after a supplement decides what may be kept, as at intake: a consent that narrows
(to `objected`, or to fewer categories) purges at once what nobody may see any longer, from the
alert and from every earlier version, and says so; one that widens lets later data in (what
was purged stays gone). The triage runs again on the new facts; an escalation nobody has
acted on follows it (:func:`app.escalation.service.replan`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import anonymity, group_rule, intake, repository, sealing
from app.alerts.clients import Sender
from app.alerts.disclosure import consent_of as stored_consent
from app.alerts.enums import AlertStatus
from app.alerts.minimise import (
    CountedConsent,
    Minimised,
    age_band_of,
    consent_of,
    counted_consent,
    minimise,
    not_kept,
    not_kept_reason,
)
from app.alerts.models import Alert, AlertVersion
from app.alerts.responses import SupplementOut
from app.alerts.schemas.supplement_in import SupplementIn
from app.alerts.service import alert_status, send_status
from app.consent import fields as consent_fields
from app.consent import rules as consent_rules
from app.consent.enums import ConsentGiver, ConsentState
from app.errors import Conflict, FieldProblem, InvalidFields, NotFound
from app.escalation import service as escalation_service
from app.overdose.enums import AgeBand, AlertKind, Outcome
from app.privacy.crypto import FieldCipher
from app.timeline import service as timeline
from app.timeline.models import AlertEventKind
from app.triage import rules as triage_rules
from app.triage import service as triage_service
from app.webhooks.models import EventType


@dataclass(frozen=True)
class SupplementResult:
    supplement: SupplementOut
    created: bool


@dataclass(frozen=True)
class _Version:
    """What a supplement makes of the alert: its next version, before it is stored."""

    number: int
    kind: AlertKind
    """The alert's kind after it (a supplement may correct it)."""
    consent: consent_rules.ConsentContext
    fingerprint: str
    after: dict[str, Any]
    """The alert's personal values after it: what the consent lets anyone see."""
    purged_paths: list[str]
    """Paths the consent no longer lets anyone see (stored before, or sent now)."""
    purged: list[str]
    """The categories of data purged from what was stored."""
    replaced: dict[str, Any]
    """The stored values it replaced, kept sealed in the version."""
    changed: list[str]
    dropped: list[FieldProblem]


async def supplement_alert(
    sender: Sender, *, alert_id: uuid.UUID, supplement: SupplementIn
) -> SupplementResult:
    """Apply `supplement` to the client's alert as its next version; a retry of one applied
    already answers what it did."""
    session, now = sender.session, sender.now
    alert = await repository.get_for_client_locked(
        session, alert_id=alert_id, client_id=sender.client_id
    )
    if alert is None:
        raise NotFound(f"No alert {alert_id} for this client.")
    current = sealing.all_personal_values(sender.cipher, alert)
    kind = supplement.kind or AlertKind(alert.kind)
    _refuse_contradictions(supplement, kind=kind, current=current)
    # The age band is derived from a national id or birth year only where none is known.
    day = alert.occurred_at.astimezone(triage_rules.OSLO).date() if alert.age_band is None else None
    counted = _counted_consent(alert, supplement, on=day)
    consent = counted.context if counted else stored_consent(alert)
    kept = minimise(supplement, on=day, consent=consent)
    fingerprint = sender.hasher.fingerprint(kept.canonical)
    if supplement.supplement_id is not None:
        earlier = await repository.version_by_supplement_id(
            session, alert_id=alert.id, supplement_id=supplement.supplement_id
        )
        if earlier is not None:
            return await _retry_of(
                sender, alert, earlier, sender.hasher.fingerprints(kept.canonical)
            )

    new = _next_version(
        alert, supplement, current, kept, kind=kind, consent=consent, fingerprint=fingerprint
    )
    if consent.state is ConsentState.OBJECTED:
        new = await _group_rule(sender, alert, new, current)
    await _store(sender, alert, supplement, new, counted)
    await _triage_again(session, alert, {**current, **kept.sent}, kind=kind, now=now)
    # Only what the supplement adds is disclosed anew.
    added = {p: v for p, v in kept.personal.items() if current.get(p) != v}
    intake.open_inform_duty(session, alert_id=alert.id, consent=consent, personal=added, now=now)
    # The status the dispatcher is sent is the one answered: read once.
    status = await send_status(
        session, alert, event_type=EventType.ALERT_SUPPLEMENTED, now=now, cipher=sender.cipher
    )
    return SupplementResult(
        supplement=SupplementOut(
            alert=status,
            version=new.number,
            changed=new.changed,
            purged=new.purged,
            dropped_fields=new.dropped,
        ),
        created=True,
    )


def _refuse_contradictions(
    supplement: SupplementIn, *, kind: AlertKind, current: dict[str, Any]
) -> None:
    """422 for what makes the whole supplement wrong: a consent that names the police, or a
    kind and an outcome (given, or stored before) that contradict each other."""
    outcome_before = current.get("clinical.outcome")
    refused = supplement.refusals(
        kind=kind, outcome_before=Outcome(outcome_before) if outcome_before else None
    )
    if refused:
        raise InvalidFields(refused)


def _next_version(
    alert: Alert,
    supplement: SupplementIn,
    current: dict[str, Any],
    kept: Minimised,
    *,
    kind: AlertKind,
    consent: consent_rules.ConsentContext,
    fingerprint: str,
) -> _Version:
    """The supplement's values over the `current` ones, less what the consent after it lets
    nobody see; what it replaced, and what it could not keep."""
    merged = {**current, **kept.personal}
    allowed = consent_rules.kept_categories(consent)
    purged_paths = not_kept(merged, allowed)
    if consent.state is ConsentState.OBJECTED:
        # Field by field: of a category the leader sees, only the anonymous fields stay.
        purged_paths = sorted(
            {*purged_paths, *(p for p in merged if p not in anonymity.ANONYMOUS_FIELDS)}
        )
    after = {p: v for p, v in merged.items() if p not in purged_paths}
    return _Version(
        number=alert.version + 1,
        kind=kind,
        consent=consent,
        fingerprint=fingerprint,
        after=after,
        purged_paths=purged_paths,
        purged=sorted({consent_fields.CATEGORY_OF[p].value for p in purged_paths if p in current}),
        replaced={
            path: current[path]
            for path in kept.personal
            if path in current and current[path] != kept.personal[path] and path in after
        },
        changed=_changed(supplement, kept.personal),
        dropped=[
            *kept.dropped,
            *(
                FieldProblem(field=p, reason=not_kept_reason(consent_fields.CATEGORY_OF[p]))
                for p in purged_paths
                if p in kept.personal
            ),
        ],
    )


async def _store(
    sender: Sender,
    alert: Alert,
    supplement: SupplementIn,
    new: _Version,
    counted: CountedConsent | None,
) -> None:
    """Keep the version (with the values it replaced, sealed), purge what may no longer be
    seen from the earlier ones, set the alert's columns, and say so on its timeline."""
    session, now, cipher = sender.session, sender.now, sender.cipher
    repository.add_version(
        session,
        AlertVersion(
            alert_id=alert.id,
            version=new.number,
            at=now,
            client_id=sender.client_id,
            supplement_id=supplement.supplement_id,
            fingerprint=new.fingerprint,
            changed=new.changed,
            consent_state=new.consent.state,
            purged=new.purged,
            replaced_sealed=sealing.seal_history(
                cipher, alert_id=alert.id, version=new.number, values=new.replaced
            ),
            dropped_fields=[d.model_dump() for d in new.dropped],
        ),
    )
    if new.purged:
        await _purge_history(session, alert, new.purged_paths, cipher=cipher)
    _apply(alert, new, counted)
    for column, value in sealing.columns_of(cipher, alert_id=alert.id, personal=new.after).items():
        setattr(alert, column, value)
    national_id = new.after.get("person.national_id")
    alert.national_id_hash = sender.hasher.national_id(national_id) if national_id else None
    if new.consent.state is ConsentState.OBJECTED:
        _objected(alert)
    timeline.record(
        session,
        alert_id=alert.id,
        kind=AlertEventKind.SUPPLEMENTED,
        at=now,
        version=new.number,
        changed=new.changed,
        consent_state=new.consent.state.value,
        purged=new.purged,
    )


async def _group_rule(
    sender: Sender, alert: Alert, new: _Version, current: dict[str, Any]
) -> _Version:
    """An alert objected to after the supplement keeps the outcome and the age band only
    where the group rule lets it (`app.alerts.anonymity`), counted among the municipality's
    other alerts; what it drops is purged like the rest."""
    counts = await group_rule.anonymity_counts(
        sender.session,
        sender.cipher,
        new.after,
        municipality_code=alert.municipality_code,
        now=sender.now,
        excluding=alert.id,
    )
    after = anonymity.anonymous_values(new.after, counts)
    gone = sorted(p for p in new.after if p not in after)
    if not gone:
        return new
    return replace(
        new,
        after=after,
        purged_paths=sorted({*new.purged_paths, *gone}),
        purged=sorted(
            {*new.purged, *(consent_fields.category_of(p).value for p in gone if p in current)}
        ),
        replaced={p: v for p, v in new.replaced.items() if p in after},
        dropped=[
            *new.dropped,
            *(FieldProblem(field=p, reason=group_rule.REFUSED_BY_GROUP_RULE) for p in gone),
        ],
    )


def _objected(alert: Alert) -> None:
    """What an alert objected to by a supplement no longer keeps: the reporter, the sealed
    incident id (its hash stays, for retries), the minutes (docs/rules.md, "Objected alerts:
    what is kept")."""
    alert.reporter_sealed = None
    alert.reporter_type = None
    alert.dispatch_incident_sealed = None
    alert.occurred_at = anonymity.to_the_hour(alert.occurred_at)
    alert.received_at = anonymity.to_the_hour(alert.received_at)


def _changed(supplement: SupplementIn, personal: dict[str, Any]) -> list[str]:
    paths = set(personal)
    if supplement.kind is not None:
        paths.add("kind")
    if supplement.consent is not None:
        paths.add("consent")
    return sorted(paths)


def _apply(alert: Alert, new: _Version, counted: CountedConsent | None) -> None:
    """The alert's kind, version and (if it changed) consent after `new`."""
    alert.kind = new.kind
    alert.version = new.number
    if counted is not None:
        for column, value in intake.consent_columns(counted).items():
            setattr(alert, column, value)


def _counted_consent(
    alert: Alert, supplement: SupplementIn, *, on: date | None
) -> CountedConsent | None:
    """The consent that counts after the supplement, if it may have changed: the supplement
    gave a consent, or an age band under which the recorded one counts otherwise (docs/rules.md,
    "Minors"). None: the stored consent stands."""
    given_band = age_band_of(supplement, on=on)
    band = given_band or (AgeBand(alert.age_band) if alert.age_band else None)
    if supplement.consent is not None:
        given_by = supplement.consent.given_by
        return counted_consent(consent_of(supplement), given_by=given_by, age_band=band)
    if given_band is None or given_band.value == alert.age_band:
        return None
    recorded = stored_consent(alert)
    if alert.consent_recorded_state is not None:
        # Counted as not_asked: what was recorded had no recipients or categories that count.
        recorded = consent_rules.ConsentContext(state=ConsentState(alert.consent_recorded_state))
    given_by = ConsentGiver(alert.consent_given_by) if alert.consent_given_by else None
    return counted_consent(recorded, given_by=given_by, age_band=band)


async def _purge_history(
    session: AsyncSession, alert: Alert, paths: list[str], *, cipher: FieldCipher
) -> None:
    """What nobody may see any longer leaves the earlier versions too."""
    gone = set(paths)
    for earlier in await repository.versions_of(session, alert_id=alert.id):
        values = sealing.open_history(
            cipher, alert_id=alert.id, version=earlier.version, token=earlier.replaced_sealed
        )
        if gone.isdisjoint(values):
            continue
        earlier.replaced_sealed = sealing.seal_history(
            cipher,
            alert_id=alert.id,
            version=earlier.version,
            values={p: v for p, v in values.items() if p not in gone},
        )


async def _triage_again(
    session: AsyncSession,
    alert: Alert,
    merged: dict[str, Any],
    *,
    kind: AlertKind,
    now: datetime,
) -> None:
    """A changed outcome, destination, kind or consent may change what happens. An alert
    someone took is left with them."""
    if alert.status == AlertStatus.ACKNOWLEDGED:
        return
    table = await triage_service.table_for(session, municipality_code=alert.municipality_code)
    facts = intake.facts_of(merged, kind=kind, consent=ConsentState(alert.consent_state))
    decided = triage_rules.triage(facts, table, now=now)
    if decided.action.value == alert.triage_action:
        return
    for column, value in intake.triage_columns(decided).items():
        setattr(alert, column, value)
    intake.record_triage(session, alert_id=alert.id, decided=decided, now=now)
    paging = escalation_service.Paging.of(
        decided,
        alert_id=alert.id,
        municipality_code=alert.municipality_code,
        occurred_at=alert.occurred_at,
    )
    await escalation_service.replan(session, paging, now=now)


async def _retry_of(
    sender: Sender, alert: Alert, earlier: AlertVersion, fingerprints: Sequence[str]
) -> SupplementResult:
    """`fingerprints`: under the current and each retired hash key (docs/rules.md, "Key
    rotation")."""
    if earlier.fingerprint not in fingerprints:
        raise Conflict(
            f"Supplement {earlier.supplement_id} was already applied with other content "
            f"(version {earlier.version}). Send a new supplement_id for a new supplement.",
            alert_id=str(alert.id),
            version=earlier.version,
        )
    return SupplementResult(
        supplement=SupplementOut(
            alert=await alert_status(sender.session, alert, cipher=sender.cipher),
            version=earlier.version,
            changed=earlier.changed,
            purged=earlier.purged,
            dropped_fields=[FieldProblem.model_validate(d) for d in earlier.dropped_fields],
        ),
        created=False,
    )
