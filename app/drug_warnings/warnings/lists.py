"""Warnings as the leader reads them: one warning, the municipality's warnings, and those
arriving from neighbouring municipalities; `warning_out` and `draft_out` give a warning's API
form.

A warning's state is read against the clock: a draft, in force (`active`) until
`expires_at`, then `expired`, with `review_due` until its review is recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.drug_warnings import recipients as rule
from app.drug_warnings import repository as served_repository
from app.drug_warnings.repository import Page
from app.drug_warnings.settings import repository as settings_repository
from app.drug_warnings.warnings import repository, texts
from app.drug_warnings.warnings.models import DrugWarning, WarningStatus
from app.drug_warnings.warnings.schemas import (
    IncomingWarningOut,
    RecipientOut,
    SmsCounts,
    WarningOut,
    WarningState,
)
from app.errors import NotFound
from app.i18n import Language
from app.notify.models import OutboxStatus

_AS_STORED = (set(WarningOut.model_fields) & set(DrugWarning.model_fields)) - {
    "status",
    "recipients",
}
"""What a warning's answer shows as its row holds it (id, text, who and when); the rest is
read (`municipality`, `status`) or worked out (its state, the SMS, the neighbours reached)."""


async def get_warning(
    session: AsyncSession, *, warning_id: uuid.UUID, municipalities: Collection[str], now: datetime
) -> WarningOut:
    warning, name = await find_warning(session, warning_id, municipalities)
    return await warning_out(session, warning, name, now=now)


async def warning_rows(
    session: AsyncSession, page: Page, *, state: WarningState | None, now: datetime
) -> list[DrugWarning]:
    """The page's warnings, newest first; only those in `state` when given (`warnings_out`
    gives their API forms)."""
    status = None
    if state is not None:
        status = WarningStatus.DRAFT if state is WarningState.DRAFT else WarningStatus.APPROVED
    return await repository.list_warnings(
        session,
        page,
        status=status.value if status else None,
        expired_before=now if state is WarningState.EXPIRED else None,
        active_at=now if state is WarningState.ACTIVE else None,
    )


async def warnings_out(
    session: AsyncSession, rows: list[DrugWarning], *, now: datetime
) -> list[WarningOut]:
    """The warnings' API forms, in their order: a few queries for all of them."""
    names = await served_repository.served(session, {w.municipality_code for w in rows})
    return await _sent_out(session, rows, names, now=now)


async def incoming_warnings(
    session: AsyncSession, page: Page, *, include_expired: bool, now: datetime
) -> list[IncomingWarningOut]:
    """Warnings approved in municipalities that list the page's as neighbours, newest first."""
    rows = await repository.list_incoming(session, page, active_at=None if include_expired else now)
    names = await served_repository.served(session, {w.municipality_code for _, w in rows})
    answers = []
    for incoming, warning in rows:
        assert warning.approved_at is not None and warning.expires_at is not None
        answers.append(
            IncomingWarningOut(
                id=incoming.id,
                warning_id=warning.id,
                municipality=incoming.municipality_code,
                from_municipality=warning.municipality_code,
                from_municipality_name=names.get(
                    warning.municipality_code, warning.municipality_code
                ),
                text=warning.text,
                approved_at=warning.approved_at,
                expires_at=warning.expires_at,
                received_at=incoming.received_at,
                expired=warning.expires_at <= now,
            )
        )
    return answers


async def find_warning(
    session: AsyncSession,
    warning_id: uuid.UUID,
    municipalities: Collection[str],
    *,
    for_update: bool = False,
) -> tuple[DrugWarning, str]:
    """The warning and its municipality's name; another client's warning 404s."""
    warning = await repository.get_warning(session, warning_id, for_update=for_update)
    if warning is None or warning.municipality_code not in municipalities:
        raise NotFound(f"No warning {warning_id} in this client's municipalities.")
    names = await served_repository.served(session, [warning.municipality_code])
    return warning, names.get(warning.municipality_code, warning.municipality_code)


async def warning_out(
    session: AsyncSession, warning: DrugWarning, name: str, *, now: datetime
) -> WarningOut:
    """The warning's API form, with its SMS counts and the neighbours it reached."""
    return (await _sent_out(session, [warning], {warning.municipality_code: name}, now=now))[0]


async def _sent_out(
    session: AsyncSession, rows: list[DrugWarning], names: dict[str, str], *, now: datetime
) -> list[WarningOut]:
    """The warnings' API forms, with their SMS counts and the neighbours they reached (one
    query each for all of them); `names` by municipality code."""
    ids = [w.id for w in rows]
    counts = await repository.sms_counts(session, ids)
    reached = await repository.neighbours_reached(session, ids)
    drafting = {w.municipality_code for w in rows if w.status == WarningStatus.DRAFT}
    offered = {code: await recipients_for(session, code) for code in drafting}
    standards = await served_repository.written_standards(session, drafting)
    return [
        _warning_out(
            w,
            names.get(w.municipality_code, w.municipality_code),
            now=now,
            counts=counts.get(w.id, {}),
            neighbours=reached.get(w.id, []),
            offered=offered.get(w.municipality_code, []),
            language=standards.get(w.municipality_code, "nb"),
        )
        for w in rows
    ]


async def recipients_for(session: AsyncSession, municipality_code: str) -> list[rule.Recipient]:
    """Everyone the municipality's warnings can go to: its contacts, then its external
    recipients (its warning settings; nobody without)."""
    settings = await settings_repository.get_settings(session, municipality_code=municipality_code)
    if settings is None:
        return []
    return rule.recipients_of(settings.contacts, settings.external)


async def draft_out(
    session: AsyncSession, warning: DrugWarning, name: str, *, now: datetime
) -> WarningOut:
    """A draft's API form: it has sent nothing, so there is nothing to count; its recipients
    are offered with the suggestion for its kind."""
    code = warning.municipality_code
    offered = await recipients_for(session, code)
    language = (await served_repository.written_standards(session, [code])).get(code, "nb")
    return _warning_out(warning, name, now=now, offered=offered, language=language)


def _offered_out(warning: DrugWarning, offered: list[rule.Recipient]) -> list[RecipientOut]:
    suggestion = set(rule.suggested(offered, rule.WarningKind(warning.kind)))
    # A recipient's own fields carry over by name (its kinds are not shown); a draft has
    # chosen and sent to no one yet.
    return [
        RecipientOut.model_validate(
            {**asdict(r), "suggested": r.key in suggestion, "chosen": None, "dispatch": None}
        )
        for r in offered
    ]


def _warning_out(
    warning: DrugWarning,
    municipality_name: str,
    *,
    now: datetime,
    counts: dict[str, int] | None = None,
    neighbours: Iterable[str] = (),
    offered: list[rule.Recipient] | None = None,
    language: Language = "nb",
) -> WarningOut:
    if warning.status == WarningStatus.DRAFT or warning.expires_at is None:
        recipients = _offered_out(warning, offered or [])
        state = WarningState.DRAFT
        sms_text = texts.warning_text(
            municipality_name=municipality_name,
            expires_at=now + timedelta(days=warning.valid_days),
            text=warning.text,
            language=language,
        )
    else:
        recipients = [RecipientOut.model_validate(r) for r in warning.recipients]
        state = WarningState.ACTIVE if warning.expires_at > now else WarningState.EXPIRED
        sms_text = warning.sms_body or ""
    counts = counts or {}
    return WarningOut(
        **warning.model_dump(include=_AS_STORED),
        municipality=warning.municipality_code,
        status=WarningStatus(warning.status),
        state=state,
        review_due=state is WarningState.EXPIRED and warning.reviewed_at is None,
        sms_text=sms_text,
        sms=SmsCounts(
            pending=counts.get(OutboxStatus.PENDING, 0) + counts.get(OutboxStatus.SENDING, 0),
            sent=counts.get(OutboxStatus.SENT, 0),
            delivered=counts.get(OutboxStatus.DELIVERED, 0),
            failed=counts.get(OutboxStatus.FAILED, 0) + counts.get(OutboxStatus.CANCELLED, 0),
        ),
        neighbours=list(neighbours),
        recipients=recipients,
    )
