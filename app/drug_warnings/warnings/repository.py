"""Queries on warnings, the SMS they sent and the neighbours they reached."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.db import one_or_none
from app.drug_warnings.repository import Page, one_page
from app.drug_warnings.warnings.models import DrugWarning, IncomingWarning
from app.notify.models import OutboxMessage

WARNING_SUBJECT = "warning"
"""The outbox subject kind of a warning's SMS."""


def add(session: AsyncSession, row: DrugWarning | IncomingWarning) -> None:
    session.add(row)


async def get_warning(
    session: AsyncSession, warning_id: uuid.UUID, *, for_update: bool = False
) -> DrugWarning | None:
    statement = select(DrugWarning).where(col(DrugWarning.id) == warning_id)
    return await one_or_none(session, statement, for_update=for_update)


async def list_warnings(
    session: AsyncSession,
    page: Page,
    *,
    status: str | None,
    expired_before: datetime | None,
    active_at: datetime | None,
) -> list[DrugWarning]:
    statement = select(DrugWarning)
    if status is not None:
        statement = statement.where(col(DrugWarning.status) == status)
    if expired_before is not None:
        statement = statement.where(col(DrugWarning.expires_at) <= expired_before)
    if active_at is not None:
        statement = statement.where(col(DrugWarning.expires_at) > active_at)
    statement = one_page(statement, page, DrugWarning, newest=DrugWarning.created_at)
    return list((await session.execute(statement)).scalars())


async def sms_counts(
    session: AsyncSession, warning_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, int]]:
    """The warnings' SMS by outbox state."""
    if not warning_ids:
        return {}
    statement = (
        select(col(OutboxMessage.subject_id), col(OutboxMessage.status), func.count())
        .where(
            col(OutboxMessage.subject_kind) == WARNING_SUBJECT,
            col(OutboxMessage.subject_id).in_(warning_ids),
        )
        .group_by(col(OutboxMessage.subject_id), col(OutboxMessage.status))
    )
    counts: dict[uuid.UUID, dict[str, int]] = {}
    for subject_id, status, count in (await session.execute(statement)).all():
        counts.setdefault(subject_id, {})[status] = count
    return counts


async def neighbours_reached(
    session: AsyncSession, warning_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    if not warning_ids:
        return {}
    statement = (
        select(IncomingWarning)
        .where(col(IncomingWarning.warning_id).in_(warning_ids))
        .order_by(col(IncomingWarning.municipality_code))
    )
    reached: dict[uuid.UUID, list[str]] = {}
    for row in (await session.execute(statement)).scalars():
        reached.setdefault(row.warning_id, []).append(row.municipality_code)
    return reached


async def list_incoming(
    session: AsyncSession, page: Page, *, active_at: datetime | None
) -> list[tuple[IncomingWarning, DrugWarning]]:
    statement = select(IncomingWarning, DrugWarning).join(
        DrugWarning, col(DrugWarning.id) == col(IncomingWarning.warning_id)
    )
    if active_at is not None:
        statement = statement.where(col(DrugWarning.expires_at) > active_at)
    statement = one_page(statement, page, IncomingWarning, newest=IncomingWarning.received_at)
    return [(incoming, warning) for incoming, warning in (await session.execute(statement)).all()]
