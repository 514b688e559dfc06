"""What a purge of an alert removes, and what it keeps (docs/rules.md, "Retention").

Removed (set to NULL or blank, or the row deleted), for each alert purged:

* `alert`: every sealed category (`identity_sealed`, `contact_sealed`, `place_sealed`,
  `situation_sealed`, `acute_risk_sealed`, `substances_sealed`, `bystanders_sealed`,
  `reporter_sealed` (the crew's unit and call-back number), `dispatch_incident_sealed`), the
  `national_id_hash` and the `request_fingerprint` (blank: the column is required); `purged_at`
  is set.
* `alert_version`: `replaced_sealed` (the values a supplement replaced) and the supplement's
  `fingerprint` (blank).
* `alert_answer.free_text` and the free text of the timeline's `answered` events
  (`alert_event.data.answer.text` of a `free_text` answer, blank); the other timeline data
  are roles, steps, times and the staff member who acted, none of them the person's.
* The follow-up case: its `close_reason`, each step's `note_sealed` and `outcome`, each
  event's `note_sealed`, and the `outcome` of the events staff wrote (done, not reached, not
  applicable, closed early): free text that may name someone.
* `outbox_message` of the alert and of its case: `body` and `to_number` blank.
* `recipient_link` rows of the alert (the staff's links, long expired; they are kept until
  now because they say who was paged, and so who may see the person's data, docs/rules.md
  "Access by work need"), and its finished `webhook_delivery` rows (their sealed payload
  holds the dispatch incident id).

Kept: the alert's row with its times, kind, status, consent columns, age band and triage (the
anonymous facts, frozen by `app.statistics.facts.refresh_facts` in the same transaction just
before), `dispatch_incident_hash` (a keyed hash that makes a retry of the same incident a
conflict, not a second alert), `manual_decision` and `inform_duty` (what the audit needs),
the case's steps and events as records of what was done and when, and the access log. Before
the hash goes, each access-log entry of the alert without a `national_id_hash` gets the
alert's, so the person's "who saw my data" request still finds them until the access log's
own period ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.alerts.models import Alert, AlertVersion
from app.answers.models import AlertAnswer
from app.audit.models import AccessLogEntry
from app.auth.links.models import RecipientLink
from app.escalation.engine.messages import SUBJECT_KIND as ALERT_MESSAGES
from app.followup.cases.models import SUBJECT_KIND as CASE_MESSAGES
from app.followup.cases.models import CaseEventKind, FollowupCase, FollowupEvent, FollowupStep
from app.notify.models import OutboxMessage
from app.timeline.models import AlertEvent, AlertEventKind
from app.webhooks.models import DeliveryStatus, WebhookDelivery

SEALED_COLUMNS = (
    "identity_sealed",
    "contact_sealed",
    "place_sealed",
    "situation_sealed",
    "acute_risk_sealed",
    "substances_sealed",
    "bystanders_sealed",
    "reporter_sealed",
    "dispatch_incident_sealed",
)
"""The alert's columns that hold personal data (sealed), all set to NULL."""

STAFF_TEXT_EVENTS = (
    CaseEventKind.DONE,
    CaseEventKind.NOT_REACHED,
    CaseEventKind.NOT_APPLICABLE,
    CaseEventKind.CLOSED_EARLY,
)
"""Case events whose `outcome` is what staff wrote."""

FREE_TEXT = "free_text"
"""The kind of a crew answer that staff typed (`CrewAnswer.kind`)."""


async def purge_alerts(
    session: AsyncSession, alert_ids: Sequence[uuid.UUID], *, now: datetime
) -> list[uuid.UUID]:
    """Purge the alerts not purged yet (the caller holds their rows); the ids purged."""
    if not alert_ids:
        return []
    await _keep_hash_in_access_log(session, alert_ids)
    result = await session.execute(
        update(Alert)
        .where(col(Alert.id).in_(alert_ids), col(Alert.purged_at).is_(None))
        .values(
            purged_at=now,
            national_id_hash=None,
            request_fingerprint="",
            **dict.fromkeys(SEALED_COLUMNS),
        )
        .returning(col(Alert.id))
        .execution_options(synchronize_session=False)
    )
    purged = list(result.scalars())
    if not purged:
        return []
    await session.execute(
        update(AlertVersion)
        .where(col(AlertVersion.alert_id).in_(purged))
        .values(replaced_sealed=None, fingerprint="")
        .execution_options(synchronize_session=False)
    )
    await clear_crew_text(session, purged)
    case_ids = await _purge_cases(session, purged)
    await session.execute(
        update(OutboxMessage)
        .where(
            or_(
                and_(
                    col(OutboxMessage.subject_kind) == ALERT_MESSAGES,
                    col(OutboxMessage.subject_id).in_(purged),
                ),
                and_(
                    col(OutboxMessage.subject_kind) == CASE_MESSAGES,
                    col(OutboxMessage.subject_id).in_(case_ids),
                ),
            )
        )
        .values(body="", to_number="")
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(RecipientLink).where(col(RecipientLink.alert_id).in_(purged)))
    await session.execute(
        delete(WebhookDelivery).where(
            col(WebhookDelivery.subject_id).in_(purged),
            col(WebhookDelivery.status).in_([DeliveryStatus.DELIVERED, DeliveryStatus.FAILED]),
        )
    )
    return purged


async def _keep_hash_in_access_log(session: AsyncSession, alert_ids: Sequence[uuid.UUID]) -> None:
    """Each entry of the alerts without a national-id hash gets its alert's."""
    of_the_alert = (
        select(Alert.national_id_hash)
        .where(col(Alert.id) == AccessLogEntry.alert_id)
        .scalar_subquery()
    )
    await session.execute(
        update(AccessLogEntry)
        .where(
            col(AccessLogEntry.alert_id).in_(alert_ids),
            col(AccessLogEntry.national_id_hash).is_(None),
        )
        .values(national_id_hash=of_the_alert)
        .execution_options(synchronize_session=False)
    )


async def clear_crew_text(
    session: AsyncSession, alert_ids: Sequence[uuid.UUID], *, until: datetime | None = None
) -> int:
    """Blank the free text answered to the crew about the alerts (given at or before `until`,
    if given): the answer's and the timeline's; how many answers had one."""
    answers = update(AlertAnswer).where(
        col(AlertAnswer.alert_id).in_(alert_ids), col(AlertAnswer.free_text).is_not(None)
    )
    events = select(AlertEvent).where(
        col(AlertEvent.alert_id).in_(alert_ids), col(AlertEvent.kind) == AlertEventKind.ANSWERED
    )
    if until is not None:
        answers = answers.where(col(AlertAnswer.created_at) <= until)
        events = events.where(col(AlertEvent.at) <= until)
    result = await session.execute(
        answers.values(free_text=None).execution_options(synchronize_session=False)
    )
    for event in (await session.execute(events)).scalars():
        answer: dict[str, Any] = dict(event.data.get("answer") or {})
        if answer.get("kind") == FREE_TEXT and answer.get("text"):
            event.data = {**event.data, "answer": {**answer, "text": ""}}
    await session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


async def _purge_cases(session: AsyncSession, alert_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """The notes and free text of the alerts' cases; the cases' ids."""
    case_ids = list(
        (
            await session.execute(
                select(FollowupCase.id).where(col(FollowupCase.alert_id).in_(alert_ids))
            )
        ).scalars()
    )
    if not case_ids:
        return []
    await _blank(session, FollowupCase, col(FollowupCase.id).in_(case_ids), close_reason=None)
    in_cases = col(FollowupStep.case_id).in_(case_ids)
    await _blank(session, FollowupStep, in_cases, note_sealed=None, outcome=None)
    of_cases = col(FollowupEvent.case_id).in_(case_ids)
    await _blank(session, FollowupEvent, of_cases, note_sealed=None)
    staff_text = col(FollowupEvent.kind).in_(STAFF_TEXT_EVENTS)
    await _blank(session, FollowupEvent, of_cases, staff_text, outcome=None)
    return case_ids


async def _blank(
    session: AsyncSession, model: type[Any], *where: ColumnElement[bool], **values: None
) -> None:
    """Set `values` (all None) on the rows of `model` matching `where`, in one UPDATE."""
    await session.execute(
        update(model).where(*where).values(**values).execution_options(synchronize_session=False)
    )
