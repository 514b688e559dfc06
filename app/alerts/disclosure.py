"""Disclosing an alert's personal data: the one place that opens sealed values.

The consent rules decide which categories a recipient may see; only those are opened, and
one access-log entry records what was shown, to whom, why, and on which basis. An answer
that shows no category is not a disclosure and is not logged. What an objected alert still
shows the leader (what was taken, hpl § 23 nr. 2) is logged like any other answer: the log
is where the person learns what left the service about the event.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import repository, sealing
from app.alerts.clients import Reader
from app.alerts.details import SECTIONS, AlertDetails, ReporterDetails, sections_of
from app.alerts.models import Alert
from app.alerts.service import check_in_municipalities, header_of, times_of
from app.audit import service as audit_service
from app.audit.enums import AccessBasis, ActorKind, Channel
from app.audit.service import Discloser, Subject
from app.consent import fields as consent_fields
from app.consent import rules as consent_rules
from app.consent.enums import ConsentRecipient, ConsentState, DataCategory, Recipient
from app.errors import NotFound
from app.privacy.crypto import FieldCipher


def consent_of(alert: Alert) -> consent_rules.ConsentContext:
    categories = alert.consent_categories
    return consent_rules.ConsentContext(
        state=ConsentState(alert.consent_state),
        recipients=frozenset(ConsentRecipient(r) for r in alert.consent_recipients),
        categories=None if categories is None else frozenset(DataCategory(c) for c in categories),
    )


async def disclose_alert(
    session: AsyncSession,
    *,
    alert_id: uuid.UUID,
    recipient: Recipient,
    actor: Discloser,
    reason: str,
    now: datetime,
    cipher: FieldCipher,
) -> AlertDetails:
    """What `recipient` may see of the alert; logs the disclosure if it holds personal data.

    The caller has checked that the actor has a work need for this alert (tjenstlig behov)
    and acts as `recipient`.
    """
    alert = await repository.get_for_disclosure(session, alert_id=alert_id)
    if alert is None:
        raise NotFound(f"No alert {alert_id}.")
    consent = consent_of(alert)
    allowed = consent_rules.allowed_categories(consent, recipient)
    values = sealing.personal_values(cipher, alert, allowed)
    anonymous = consent.state is ConsentState.OBJECTED
    if anonymous and allowed and alert.age_band is not None:
        # What the group rule kept of an objected alert: the age band with the outcome
        # (docs/rules.md, "Objected alerts: what is kept"), logged with the outcome's basis.
        values[consent_fields.AGE_BAND_FIELD] = alert.age_band
    disclosed = sorted(
        {
            consent_fields.category_of(path)
            for path in values
            if not _anonymous_band(path, anonymous)
        }
    )
    basis, inform_person = await _record(
        session,
        alert,
        consent,
        recipient,
        disclosed,
        actor=actor,
        reason=reason,
        now=now,
    )
    reporter = (
        None
        if anonymous
        else ReporterDetails.model_validate(sealing.reporter_values(cipher, alert))
    )
    return _details_of(alert, values, reporter, disclosed, basis, inform_person)


async def _record(
    session: AsyncSession,
    alert: Alert,
    consent: consent_rules.ConsentContext,
    recipient: Recipient,
    disclosed: list[DataCategory],
    *,
    actor: Discloser,
    reason: str,
    now: datetime,
) -> tuple[AccessBasis | None, bool]:
    """Log a disclosure of `disclosed` (none: nothing is logged) and, shared without consent
    (hpl § 25), mark what the person must be told. Returns its basis and whether the person
    must be informed."""
    basis: AccessBasis | None = None
    inform_person = alert.inform_person_required
    if disclosed:
        bases = {consent_rules.decide(consent, recipient, c).basis for c in disclosed}
        if len(bases) != 1:  # pragma: no cover - the rules give one basis per consent state
            raise RuntimeError("one disclosure, one legal basis")
        legal = bases.pop()
        basis = AccessBasis(legal.value)
        audit_service.record_disclosure(
            session,
            at=now,
            actor=actor,
            subject=Subject.of_alert(alert),
            categories=disclosed,
            basis=basis,
            reason=reason,
        )
        if legal is consent_rules.LegalBasis.HPL_25:
            shared = sorted({*alert.shared_without_consent, *(c.value for c in disclosed)})
            if not inform_person or shared != alert.shared_without_consent:
                await repository.mark_shared_without_consent(
                    session, alert_id=alert.id, categories=shared
                )
            inform_person = True
    return basis, inform_person


def _anonymous_band(path: str, anonymous: bool) -> bool:
    return anonymous and path == consent_fields.AGE_BAND_FIELD


async def disclose_to_case_system(
    reader: Reader, *, alert_id: uuid.UUID, reason: str
) -> AlertDetails:
    """For a municipality's case system, acting for the team leader of its municipality."""
    await check_in_municipalities(
        reader.session, alert_id=alert_id, municipalities=reader.municipalities
    )
    return await disclose_alert(
        reader.session,
        alert_id=alert_id,
        recipient=Recipient.TEAM_LEADER,
        actor=Discloser(ActorKind.API_CLIENT, reader.client_id, Channel.API),
        reason=reason,
        now=reader.now,
        cipher=reader.cipher,
    )


def _details_of(
    alert: Alert,
    values: dict[str, object],
    reporter: ReporterDetails | None,
    disclosed: list[DataCategory],
    basis: AccessBasis | None,
    inform_person: bool,
) -> AlertDetails:
    sections = sections_of(values)
    anonymous = reporter is None
    return AlertDetails(
        **header_of(alert),
        **times_of(alert, anonymous=anonymous),
        reporter=reporter,
        **{
            name: model.model_validate(sections[name])
            for name, model in SECTIONS.items()
            if sections.get(name)
        },
        # Who consented tells of a minor: not on an anonymous alert.
        consent_given_by=None if anonymous else alert.consent_given_by,
        consent_recorded_state=None if anonymous else alert.consent_recorded_state,
        anonymous=anonymous,
        disclosed_categories=disclosed,
        legal_basis=basis,
        inform_person_required=inform_person,
    )
