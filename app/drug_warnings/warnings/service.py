"""A warning's life: drafted from a signal or a concern report, edited, approved (and so
sent), reviewed.

* A **draft** reaches nobody. The leader edits its text and how long it will be in force.
* **Approval** sends it: an SMS to each SMS recipient the leader chose from the
  municipality's contacts and external recipients, with a suggestion by the warning's kind
  (`app.drug_warnings.recipients`; outbox, subject kind `warning`), and a row in each
  neighbouring municipality's incoming list. The choice is stored with the warning. An
  approved warning is never changed; it is in force for `valid_days`, then expires and is
  due for review.
* The **review** records, once, what the warning's aftermath showed.

No text leaves with personal data: every text is checked by `personal_data_in` when drafted,
edited and approved, also against the names in the alerts it may have been written from
(opened here for that check only, as `app.answers` checks an answer to the crew); its SMS must
fit two segments (`texts.check_fits`). Those alerts are:

* from a cluster signal: the signal's alerts;
* from a concern report: the report names no alert, so the alerts of the report's
  municipality from `REPORT_LOOK_BACK` before what it reports (its `observed_at`, else when
  it was filed) until now, as the leader who writes from it may know them. A report's own
  description was checked for national ids and phone numbers when filed; a name in it is
  nobody's the service knows, unless an alert names them, and that is what this checks.

Both, for a warning drafted from both.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import sealing
from app.drug_warnings import recipients as rule
from app.drug_warnings import repository as served_repository
from app.drug_warnings.common import Filer, WarningScope, label_of, own_municipality_name, refuse
from app.drug_warnings.reports import repository as reports_repository
from app.drug_warnings.reports.models import ConcernReport
from app.drug_warnings.settings import repository as settings_repository
from app.drug_warnings.signals import repository as signals_repository
from app.drug_warnings.signals.models import Signal, SignalStatus
from app.drug_warnings.warnings import repository, texts
from app.drug_warnings.warnings.lists import draft_out, find_warning, recipients_for, warning_out
from app.drug_warnings.warnings.models import DrugWarning, IncomingWarning, WarningStatus
from app.drug_warnings.warnings.schemas import (
    ApprovalIn,
    ReviewIn,
    WarningEdit,
    WarningIn,
    WarningOut,
)
from app.errors import Conflict, FieldProblem, InvalidFields
from app.notify import outbox
from app.notify.models import OutboxMessage, OutboxStatus
from app.privacy.free_text import personal_data_in

REPORT_LOOK_BACK = timedelta(days=14)
"""How far before a concern report's observation the alerts whose names a warning drafted
from it may not hold begin: a fortnight, the time a warning is in force by default."""


async def create_warning(scope: WarningScope, *, warning_in: WarningIn, filer: Filer) -> WarningOut:
    """A draft: it reaches nobody until approved. Its signal is marked `warned`."""
    session, now = scope.session, scope.now
    code = warning_in.municipality
    name = await own_municipality_name(session, code, scope.municipalities)
    signal = None
    if warning_in.signal_id is not None:
        signal = await signals_repository.get_signal(session, warning_in.signal_id, for_update=True)
        if signal is None or signal.municipality_code != code:
            raise refuse("signal_id", "no such signal in this municipality")
    report = None
    if warning_in.concern_report_id is not None:
        report = await reports_repository.get_report(session, warning_in.concern_report_id)
        if report is None or report.municipality_code != code:
            raise refuse("concern_report_id", "no such concern report in this municipality")
    await _check_text(scope, warning_in.text, signal, report)
    expires_at = now + timedelta(days=warning_in.valid_days)
    await _check_sms(session, code, name, warning_in.text, expires_at)
    # What the request says of the warning itself is kept by the same names.
    warning = DrugWarning(
        **warning_in.model_dump(include={"signal_id", "concern_report_id", "text", "valid_days"}),
        municipality_code=code,
        kind=warning_in.kind
        or rule.default_kind(from_signal=signal is not None, from_report=report is not None),
        status=WarningStatus.DRAFT,
        client_id=filer.client_id,
        member_id=filer.member_id,
        created_at=now,
        created_by=label_of(warning_in.by),
        updated_at=now,
    )
    repository.add(session, warning)
    if signal is not None and signal.status != SignalStatus.WARNED:
        signal.status = SignalStatus.WARNED
    return await draft_out(session, warning, name, now=now)


async def edit_warning(
    scope: WarningScope, *, warning_id: uuid.UUID, edit: WarningEdit
) -> WarningOut:
    warning, name = await _draft(scope, warning_id)
    text = edit.text if edit.text is not None else warning.text
    valid_days = edit.valid_days if edit.valid_days is not None else warning.valid_days
    await _check_text(scope, text, *await _sources_of(scope.session, warning))
    expires_at = scope.now + timedelta(days=valid_days)
    await _check_sms(scope.session, warning.municipality_code, name, text, expires_at)
    warning.text = text
    warning.valid_days = valid_days
    if edit.kind is not None:
        warning.kind = edit.kind
    warning.updated_at = scope.now
    return await draft_out(scope.session, warning, name, now=scope.now)


async def approve_warning(
    scope: WarningScope, *, warning_id: uuid.UUID, approval: ApprovalIn
) -> WarningOut:
    """Approve and send: an SMS to each SMS recipient the leader chose (the suggestion for the
    warning's kind when the approval names none), a row in each neighbour's incoming list. The
    choice is stored with the warning; e-mail recipients are listed "to be sent by e-mail".

    The text is checked again (alerts may have joined the cluster since it was written).
    """
    session, now = scope.session, scope.now
    warning, name = await _draft(scope, warning_id)
    await _check_text(scope, warning.text, *await _sources_of(session, warning))
    expires_at = now + timedelta(days=warning.valid_days)
    body = await _check_sms(session, warning.municipality_code, name, warning.text, expires_at)
    offered = await recipients_for(session, warning.municipality_code)
    suggestion = rule.suggested(offered, rule.WarningKind(warning.kind))
    chosen = suggestion if approval.recipients is None else approval.recipients
    unknown = rule.unknown(offered, chosen)
    if unknown:
        raise InvalidFields(
            [
                FieldProblem(
                    field=f"recipients.{i}",
                    reason="not on the municipality's contacts or external recipients",
                )
                for i in unknown
            ]
        )
    if len(set(chosen)) != len(chosen):
        raise refuse("recipients", "each recipient only once")
    warning.status = WarningStatus.APPROVED
    warning.approved_at = now
    warning.approved_by = label_of(approval.by)
    warning.expires_at = expires_at
    warning.sms_body = body
    warning.recipients = rule.dispatch_list(offered, set(chosen), set(suggestion))
    warning.updated_at = now
    await _send(session, warning, body, now=now)
    await session.flush()
    return await warning_out(session, warning, name, now=now)


async def _send(session: AsyncSession, warning: DrugWarning, body: str, *, now: datetime) -> None:
    """The approved warning's SMS to each SMS recipient, and a row in each neighbour's
    incoming list."""
    settings = await settings_repository.get_settings(
        session, municipality_code=warning.municipality_code
    )
    contacts = [
        r["address"] for r in warning.recipients if r["dispatch"] == rule.Dispatch.SMS.value
    ]
    outbox.enqueue(
        session,
        [
            OutboxMessage(
                subject_kind=repository.WARNING_SUBJECT,
                subject_id=warning.id,
                purpose="warning",
                to_number=number,
                body=body,
                status=OutboxStatus.PENDING,
                due_at=now,
                created_at=now,
            )
            for number in contacts
        ],
    )
    neighbours = await served_repository.served(session, settings.neighbours if settings else [])
    for code in sorted(neighbours):
        if code != warning.municipality_code:
            repository.add(
                session,
                IncomingWarning(warning_id=warning.id, municipality_code=code, received_at=now),
            )
    if contacts:
        await outbox.wake_workers(session)


async def review_warning(
    scope: WarningScope, *, warning_id: uuid.UUID, review: ReviewIn
) -> WarningOut:
    """Record the review of an approved warning (in force or expired), once."""
    session, now = scope.session, scope.now
    warning, name = await find_warning(session, warning_id, scope.municipalities, for_update=True)
    if warning.status != WarningStatus.APPROVED:
        raise Conflict("Only an approved warning is reviewed.")
    if warning.reviewed_at is not None:
        raise Conflict("The warning was reviewed already.")
    warning.reviewed_at = now
    warning.reviewed_by = label_of(review.by)
    warning.review_note = review.note
    warning.updated_at = now
    return await warning_out(session, warning, name, now=now)


async def _draft(scope: WarningScope, warning_id: uuid.UUID) -> tuple[DrugWarning, str]:
    """The warning, locked, if it is still a draft: an approved warning is not changed."""
    warning, name = await find_warning(
        scope.session, warning_id, scope.municipalities, for_update=True
    )
    if warning.status != WarningStatus.DRAFT:
        raise Conflict("The warning was approved and sent; it is not changed. Write a new one.")
    return warning, name


async def _sources_of(
    session: AsyncSession, warning: DrugWarning
) -> tuple[Signal | None, ConcernReport | None]:
    """The signal and the concern report the warning was drafted from (either may be None)."""
    signal = report = None
    if warning.signal_id is not None:
        signal = await signals_repository.get_signal(session, warning.signal_id)
    if warning.concern_report_id is not None:
        report = await reports_repository.get_report(session, warning.concern_report_id)
    return signal, report


async def _check_text(
    scope: WarningScope, text: str, signal: Signal | None, report: ConcernReport | None
) -> None:
    """Refuse a text with a national id, a phone number, or a name from the alerts it may have
    been written from (the module's docstring says which); the value is never echoed."""
    alerts = []
    where: list[str] = []
    if signal is not None:
        alert_ids = [uuid.UUID(a) for a in signal.alert_ids]
        alerts += await signals_repository.alerts_by_id(scope.session, alert_ids)
        where.append("of the cluster")
    if report is not None:
        since = (report.observed_at or report.created_at) - REPORT_LOOK_BACK
        alerts += await signals_repository.alerts_since(
            scope.session, municipality_code=report.municipality_code, since=min(since, scope.now)
        )
        where.append("of the municipality around the concern report")
    reasons = personal_data_in(text, names=sealing.person_names(scope.cipher, alerts))
    if reasons:
        named = "a name from an alert " + " or ".join(where)
        reasons = [r.replace("the person's name from the alert", named) for r in reasons]
        raise refuse("text", "; ".join(reasons) + ": no personal data goes into a warning")


async def _check_sms(
    session: AsyncSession, code: str, municipality_name: str, text: str, expires_at: datetime
) -> str:
    """The warning's SMS, in the municipality's written standard; refused when it would not
    fit two segments."""
    language = (await served_repository.written_standards(session, [code])).get(code, "nb")
    body = texts.warning_text(
        municipality_name=municipality_name, expires_at=expires_at, text=text, language=language
    )
    try:
        texts.check_fits(body)
    except texts.TooLong as exc:
        raise refuse("text", f"{exc}: shorten it") from None
    return body
