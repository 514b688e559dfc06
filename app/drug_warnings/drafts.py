"""A warning's life: drafted from a signal or a concern report, edited, approved (and so
sent), reviewed.

* A **draft** reaches nobody. The leader edits its text and how long it will be in force.
* **Approval** sends it: an SMS to each of the municipality's contacts (outbox, subject kind
  `warning`) and a row in each neighbouring municipality's incoming list. An approved warning
  is never changed; it is in force for `valid_days`, then expires and is due for review.
* The **review** records, once, what the warning's aftermath showed.

No text leaves with personal data: every text is checked by `personal_data_in` when drafted,
edited and approved, also against the names in the alerts of its cluster (opened here for
that check only, as `app.answers` checks an answer to the crew); its SMS must fit two
segments (`texts.check_fits`).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import sealing
from app.auth.municipalities import ActingFor
from app.consent.enums import DataCategory
from app.drug_warnings import repository, texts
from app.drug_warnings.common import Filer, label_of, own_municipality_name, refuse
from app.drug_warnings.lists import draft_out, find_warning, warning_out
from app.drug_warnings.models import (
    DrugWarning,
    IncomingWarning,
    Signal,
    SignalStatus,
    WarningStatus,
)
from app.drug_warnings.schemas import ApprovalIn, ReviewIn, WarningEdit, WarningIn, WarningOut
from app.errors import Conflict
from app.notify import outbox
from app.notify.models import OutboxMessage, OutboxStatus
from app.privacy.crypto import FieldCipher
from app.privacy.free_text import personal_data_in


async def create_warning(
    session: AsyncSession,
    *,
    warning_in: WarningIn,
    filer: Filer,
    municipalities: ActingFor,
    now: datetime,
    cipher: FieldCipher,
) -> WarningOut:
    """A draft: it reaches nobody until approved. Its signal is marked `warned`."""
    code = warning_in.municipality
    name = await own_municipality_name(session, code, municipalities)
    signal = None
    if warning_in.signal_id is not None:
        signal = await repository.get_signal(session, warning_in.signal_id, for_update=True)
        if signal is None or signal.municipality_code != code:
            raise refuse("signal_id", "no such signal in this municipality")
    if warning_in.concern_report_id is not None:
        report = await repository.get_report(session, warning_in.concern_report_id)
        if report is None or report.municipality_code != code:
            raise refuse("concern_report_id", "no such concern report in this municipality")
    await _check_text(session, warning_in.text, signal, cipher)
    _check_sms(name, warning_in.text, now + timedelta(days=warning_in.valid_days))
    warning = DrugWarning(
        municipality_code=code,
        signal_id=warning_in.signal_id,
        concern_report_id=warning_in.concern_report_id,
        text=warning_in.text,
        valid_days=warning_in.valid_days,
        status=WarningStatus.DRAFT.value,
        client_id=filer.client_id,
        member_id=filer.member_id,
        created_at=now,
        created_by=label_of(warning_in.by),
        updated_at=now,
    )
    repository.add(session, warning)
    if signal is not None and signal.status != SignalStatus.WARNED:
        signal.status = SignalStatus.WARNED.value
    return draft_out(warning, name, now=now)


async def edit_warning(
    session: AsyncSession,
    *,
    warning_id: uuid.UUID,
    edit: WarningEdit,
    municipalities: Collection[str],
    now: datetime,
    cipher: FieldCipher,
) -> WarningOut:
    warning, name = await _draft(session, warning_id, municipalities)
    text = edit.text if edit.text is not None else warning.text
    valid_days = edit.valid_days if edit.valid_days is not None else warning.valid_days
    await _check_text(session, text, await _signal_of(session, warning), cipher)
    _check_sms(name, text, now + timedelta(days=valid_days))
    warning.text = text
    warning.valid_days = valid_days
    warning.updated_at = now
    return draft_out(warning, name, now=now)


async def approve_warning(
    session: AsyncSession,
    *,
    warning_id: uuid.UUID,
    approval: ApprovalIn,
    municipalities: Collection[str],
    now: datetime,
    cipher: FieldCipher,
) -> WarningOut:
    """Approve and send: an SMS to each contact, a row in each neighbour's incoming list.

    The text is checked again (alerts may have joined the cluster since it was written).
    """
    warning, name = await _draft(session, warning_id, municipalities)
    await _check_text(session, warning.text, await _signal_of(session, warning), cipher)
    expires_at = now + timedelta(days=warning.valid_days)
    body = _check_sms(name, warning.text, expires_at)
    warning.status = WarningStatus.APPROVED.value
    warning.approved_at = now
    warning.approved_by = label_of(approval.by)
    warning.expires_at = expires_at
    warning.sms_body = body
    warning.updated_at = now
    settings = await repository.get_settings(session, municipality_code=warning.municipality_code)
    contacts = settings.contacts if settings else []
    outbox.enqueue(
        session,
        [
            OutboxMessage(
                subject_kind=repository.WARNING_SUBJECT,
                subject_id=warning.id,
                purpose="warning",
                to_number=contact["mobile"],
                body=body,
                status=OutboxStatus.PENDING.value,
                due_at=now,
                created_at=now,
            )
            for contact in contacts
        ],
    )
    neighbours = await repository.served(session, settings.neighbours if settings else [])
    for code in sorted(neighbours):
        if code != warning.municipality_code:
            repository.add(
                session,
                IncomingWarning(warning_id=warning.id, municipality_code=code, received_at=now),
            )
    if contacts:
        await outbox.wake_workers(session)
    await session.flush()
    return await warning_out(session, warning, name, now=now)


async def review_warning(
    session: AsyncSession,
    *,
    warning_id: uuid.UUID,
    review: ReviewIn,
    municipalities: Collection[str],
    now: datetime,
) -> WarningOut:
    """Record the review of an approved warning (in force or expired), once."""
    warning, name = await find_warning(session, warning_id, municipalities, for_update=True)
    if warning.status != WarningStatus.APPROVED:
        raise Conflict("Only an approved warning is reviewed.")
    if warning.reviewed_at is not None:
        raise Conflict("The warning was reviewed already.")
    warning.reviewed_at = now
    warning.reviewed_by = label_of(review.by)
    warning.review_note = review.note
    warning.updated_at = now
    return await warning_out(session, warning, name, now=now)


async def _draft(
    session: AsyncSession, warning_id: uuid.UUID, municipalities: Collection[str]
) -> tuple[DrugWarning, str]:
    """The warning, locked, if it is still a draft: an approved warning is not changed."""
    warning, name = await find_warning(session, warning_id, municipalities, for_update=True)
    if warning.status != WarningStatus.DRAFT:
        raise Conflict("The warning was approved and sent; it is not changed. Write a new one.")
    return warning, name


async def _signal_of(session: AsyncSession, warning: DrugWarning) -> Signal | None:
    if warning.signal_id is None:
        return None
    return await repository.get_signal(session, warning.signal_id)


async def _check_text(
    session: AsyncSession, text: str, signal: Signal | None, cipher: FieldCipher
) -> None:
    """Refuse a text with a national id, a phone number, or a name from the cluster's alerts."""
    names: list[str] = []
    if signal is not None:
        alert_ids = [uuid.UUID(a) for a in signal.alert_ids]
        for alert in await repository.alerts_by_id(session, alert_ids):
            identity = sealing.personal_values(cipher, alert, [DataCategory.IDENTITY])
            name = identity.get("person.name")
            if isinstance(name, str):
                names.append(name)
    reasons = personal_data_in(text, names=names)
    if reasons:
        reasons = [
            r.replace("the person's name from the alert", "a name from an alert of the cluster")
            for r in reasons
        ]
        raise refuse("text", "; ".join(reasons) + ": no personal data goes into a warning")


def _check_sms(municipality_name: str, text: str, expires_at: datetime) -> str:
    """The warning's SMS; refused when it would not fit two segments."""
    body = texts.warning_text(municipality_name=municipality_name, expires_at=expires_at, text=text)
    try:
        texts.check_fits(body)
    except texts.TooLong as exc:
        raise refuse("text", f"{exc}: shorten it") from None
    return body
