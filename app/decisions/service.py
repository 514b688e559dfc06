"""Recording manual disclosures, and the inform duties of an alert, for a case system.

Every function acts for `municipalities` (the client's): another municipality's alert is
answered exactly as one that does not exist. Nothing here opens sealed data: a manual
disclosure is made by a person (a phone call to the police, a letter to barnevernet); the
service records it. An alert whose consent_state is `objected` (or whose consent left
identity out) holds no identity: a decision is still recorded (a missing-person report may rest
on hpl § 31), what was shared is what the decider knew, the access-log entry carries no
national-id hash (a person lookup will not find it; the alert id links it), and the duty to
tell the person is opened all the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import repository as alerts
from app.alerts.models import Alert
from app.alerts.service import check_in_municipalities
from app.audit import service as audit_service
from app.audit.enums import AccessBasis, ActorKind, Channel
from app.decisions import repository, rules
from app.decisions.models import ManualDecision
from app.decisions.schemas import (
    CaseSystemStaff,
    InformDutyOut,
    InformRecordIn,
    ManualDisclosureIn,
    ManualDisclosureOut,
)
from app.errors import FieldProblem, InvalidFields, NotFound
from app.informing import service as informing
from app.informing.models import InformTrigger

ACTOR_PREFIX = "manual:"
"""Access-log actor of a manual decision: `manual:<decided_by.name>`, cut to 64 characters."""
MAX_LOG_REASON = 500


@dataclass(frozen=True, slots=True)
class CaseSystemCall:
    """What a case system's request acts with: the transaction, the client (recorded on a
    decision), the municipalities it acts for and the time."""

    session: AsyncSession
    client_id: str
    municipalities: frozenset[str]
    now: datetime


def actor_id(decided_by: CaseSystemStaff) -> str:
    return (ACTOR_PREFIX + decided_by.name)[:64]


def staff_label(staff: CaseSystemStaff) -> str:
    return f"{staff.name} ({staff.role})"


def log_reason(recipient: rules.DecisionRecipient, reason: str) -> str:
    """The reason as logged: who was told comes first, so the person sees it on innsyn."""
    prefix = f"Utlevert til {rules.RECIPIENT_NAME[recipient]}: "
    room = MAX_LOG_REASON - len(prefix)
    return prefix + (reason if len(reason) <= room else reason[: room - 1] + "…")


async def _alert_of(
    session: AsyncSession, *, alert_id: uuid.UUID, municipalities: Collection[str]
) -> Alert:
    alert = await alerts.get_by_id(session, alert_id=alert_id)
    if alert is None or alert.municipality_code not in municipalities:
        # The same answer for an unknown alert and another municipality's.
        raise NotFound(f"No alert {alert_id} in this client's municipalities.")
    return alert


def _refusals(decision_in: ManualDisclosureIn) -> list[FieldProblem]:
    found = rules.problems(
        decision_in.recipient,
        decision_in.basis,
        decision_in.attestations.given(),
        frozenset(decision_in.shared_categories),
    )
    problems = [FieldProblem(field=p.field, reason=p.reason) for p in found]
    return problems + informing.inform_problems(
        decision_in.informed_by, decision_in.not_informed_reason
    )


async def record_decision(
    call: CaseSystemCall, *, alert_id: uuid.UUID, decision_in: ManualDisclosureIn
) -> ManualDisclosureOut:
    """In the caller's transaction: the decision, one access-log entry, and an inform duty.
    A combination the rules do not allow is refused (422, naming the field and the law)."""
    session, now = call.session, call.now
    alert = await _alert_of(session, alert_id=alert_id, municipalities=call.municipalities)
    problems = _refusals(decision_in)
    if problems:
        raise InvalidFields(problems)
    categories = sorted(set(decision_in.shared_categories))
    entry = audit_service.record_disclosure(
        session,
        at=now,
        actor=audit_service.Discloser(
            ActorKind.STAFF, actor_id(decision_in.decided_by), Channel.API
        ),
        subject=audit_service.Subject.of_alert(alert),
        categories=categories,
        basis=AccessBasis(decision_in.basis.value),
        reason=log_reason(decision_in.recipient, decision_in.reason),
    )
    await session.flush()  # the entry's id, for the decision to name it
    assert entry.id is not None
    attested = decision_in.attestations.given()
    decision = ManualDecision(
        alert_id=alert.id,
        decided_at=now,
        recipient=decision_in.recipient.value,
        basis=decision_in.basis.value,
        attestations=[a.value for a in rules.Attestation if attested.get(a) is True],
        decided_by_name=decision_in.decided_by.name,
        decided_by_role=decision_in.decided_by.role,
        reason=decision_in.reason,
        shared_categories=[c.value for c in categories],
        client_id=call.client_id,
        access_log_entry_id=entry.id,
    )
    repository.add(session, decision)
    duty = informing.open_duty(
        session,
        alert_id=alert.id,
        trigger=InformTrigger.MANUAL_DECISION,
        recipient=decision_in.recipient.value,
        categories=categories,
        now=now,
        decision_id=decision.id,
        answer=informing.InformAnswer(
            decision_in.informed_by,
            decision_in.not_informed_reason,
            recorded_by=staff_label(decision_in.decided_by),
        ),
    )
    return ManualDisclosureOut.of(decision, duty)


async def decisions_of(call: CaseSystemCall, *, alert_id: uuid.UUID) -> list[ManualDisclosureOut]:
    """The alert's manual decisions, oldest first, each with the inform duty it opened."""
    await _check_alert(call, alert_id)
    duties = {
        d.decision_id: d
        for d in await informing.duties_of(call.session, alert_id=alert_id)
        if d.decision_id is not None
    }
    decisions = await repository.list_for(call.session, alert_id=alert_id)
    return [ManualDisclosureOut.of(d, duties.get(d.id)) for d in decisions]


async def inform_duties(call: CaseSystemCall, *, alert_id: uuid.UUID) -> list[InformDutyOut]:
    await _check_alert(call, alert_id)
    duties = await informing.duties_of(call.session, alert_id=alert_id)
    return [InformDutyOut.of(d) for d in duties]


async def record_inform_duty(
    call: CaseSystemCall, *, alert_id: uuid.UUID, duty_id: uuid.UUID, record_in: InformRecordIn
) -> InformDutyOut:
    await _check_alert(call, alert_id)
    duty = await informing.record(
        call.session,
        alert_id=alert_id,
        duty_id=duty_id,
        answer=informing.InformAnswer(
            record_in.informed_by,
            record_in.not_informed_reason,
            recorded_by=staff_label(record_in.recorded_by),
        ),
        now=call.now,
    )
    return InformDutyOut.of(duty)


async def _check_alert(call: CaseSystemCall, alert_id: uuid.UUID) -> None:
    """404 unless the alert is of the client's municipalities (as for an unknown one)."""
    await check_in_municipalities(
        call.session, alert_id=alert_id, municipalities=call.municipalities
    )
