"""Queries on the outbox. Claims use FOR UPDATE SKIP LOCKED on PostgreSQL so workers share work."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Exists, and_, exists, or_, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.db import is_postgresql
from app.notify.models import OutboxMessage, OutboxStatus

WAKE_CHANNEL = "odvarsel_work"
"""NOTIFY channel of the paging lane (escalations and SMS)."""
SIDE_WAKE_CHANNEL = "odvarsel_side_work"
"""NOTIFY channel of the worker's side lane (webhooks): paging work does not wake it."""


Status = TypeVar("Status", bound=StrEnum)


class Leased(Protocol[Status]):
    """A row a worker claims for a while: an outbox message, a webhook delivery."""

    status: Status
    lease_until: datetime | None
    attempts: int


LeasedRow = TypeVar("LeasedRow", bound=Leased[Any])


def claimable(
    row: type[Leased[Status]], *, pending: Status, sending: Status, due_at: Any, now: datetime
) -> ColumnElement[bool]:
    """The rows to claim: `pending` and due at `due_at`, or `sending` for a worker whose lease
    ran out."""
    return or_(
        and_(col(row.status) == pending, due_at <= now),
        and_(col(row.status) == sending, col(row.lease_until) < now),
    )


async def claim(
    session: AsyncSession,
    statement: SelectOfScalar[LeasedRow],
    *,
    sending: StrEnum,
    lease_until: datetime,
    of: Any = None,
) -> list[LeasedRow]:
    """Claim the rows `statement` selects (FOR UPDATE SKIP LOCKED on PostgreSQL, of `of`, so
    workers share work): each is `sending` until `lease_until`, one attempt more."""
    if is_postgresql(session):
        statement = statement.with_for_update(skip_locked=True, of=of)
    rows = list((await session.execute(statement)).scalars())
    for row in rows:
        row.status = sending
        row.lease_until = lease_until
        row.attempts += 1
    return rows


def new_message(
    *,
    subject_kind: str,
    subject_id: uuid.UUID,
    purpose: str,
    to_number: str,
    body: str,
    now: datetime,
    member_id: uuid.UUID | None = None,
    context: dict[str, Any] | None = None,
) -> OutboxMessage:
    """A message to send at once: pending, due and created `now`."""
    return OutboxMessage(
        subject_kind=subject_kind,
        subject_id=subject_id,
        purpose=purpose,
        context=context or {},
        member_id=member_id,
        to_number=to_number,
        body=body,
        status=OutboxStatus.PENDING,
        due_at=now,
        created_at=now,
    )


def enqueue(session: AsyncSession, messages: list[OutboxMessage]) -> None:
    session.add_all(messages)


async def wake_workers(session: AsyncSession, *, channel: str = WAKE_CHANNEL) -> None:
    """NOTIFY the workers; PostgreSQL delivers it on commit, so a rollback wakes nobody."""
    if is_postgresql(session):
        await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": channel})


def _due(now: datetime) -> ColumnElement[bool]:
    pending, sending = OutboxStatus.PENDING, OutboxStatus.SENDING
    due_at = col(OutboxMessage.due_at)
    return claimable(OutboxMessage, pending=pending, sending=sending, due_at=due_at, now=now)


def any_due(now: datetime) -> Exists:
    """Whether `claim_due` would find a message (the worker's idle probe)."""
    return exists().where(_due(now))


async def claim_due(
    session: AsyncSession, *, now: datetime, lease_until: datetime, limit: int
) -> list[OutboxMessage]:
    """Claim messages to send: pending and due, or claimed by a worker whose lease ran out."""
    statement = (
        select(OutboxMessage).where(_due(now)).order_by(col(OutboxMessage.due_at)).limit(limit)
    )
    return await claim(session, statement, sending=OutboxStatus.SENDING, lease_until=lease_until)


async def get(
    session: AsyncSession, message_id: uuid.UUID, *, for_update: bool = False
) -> OutboxMessage | None:
    """The message; locked until commit with `for_update` (on PostgreSQL), so a delivery report
    and the sender's own record of the same message apply one after the other."""
    statement = select(OutboxMessage).where(col(OutboxMessage.id) == message_id)
    if for_update and is_postgresql(session):
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def lock_many(
    session: AsyncSession, message_ids: Collection[uuid.UUID]
) -> list[OutboxMessage]:
    """The messages, locked until commit (on PostgreSQL), ordered by their subject: workers
    that record several at once then lock the subjects' rows in one order (no deadlock)."""
    statement = (
        select(OutboxMessage)
        .where(col(OutboxMessage.id).in_(list(message_ids)))
        .order_by(col(OutboxMessage.subject_id), col(OutboxMessage.id))
    )
    if is_postgresql(session):
        statement = statement.with_for_update()
    return list((await session.execute(statement)).scalars())


async def get_by_provider_id(session: AsyncSession, provider_id: str) -> OutboxMessage | None:
    """For delivery reports to the old callback URL, which named no message id."""
    statement = select(OutboxMessage).where(col(OutboxMessage.provider_id) == provider_id)
    if is_postgresql(session):
        statement = statement.with_for_update()
    result = await session.execute(statement)
    return result.scalar_one_or_none()


async def cancel_unsent(
    session: AsyncSession, *, subject_kind: str, subject_id: uuid.UUID, purposes: Iterable[str]
) -> None:
    """Pending messages of these purposes about the subject are not sent any more."""
    await session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.subject_kind) == subject_kind,
            col(OutboxMessage.subject_id) == subject_id,
            col(OutboxMessage.status) == OutboxStatus.PENDING,
            col(OutboxMessage.purpose).in_(list(purposes)),
        )
        .values(status=OutboxStatus.CANCELLED)
    )


async def recipients_of(
    session: AsyncSession,
    *,
    subject_kind: str,
    subject_id: uuid.UUID,
    purposes: Iterable[str],
    statuses: Iterable[str],
) -> list[tuple[str, uuid.UUID | None]]:
    """Distinct (number, member id) that messages of these purposes and states went to."""
    statement = (
        select(OutboxMessage.to_number, OutboxMessage.member_id)
        .where(
            col(OutboxMessage.subject_kind) == subject_kind,
            col(OutboxMessage.subject_id) == subject_id,
            col(OutboxMessage.purpose).in_(list(purposes)),
            col(OutboxMessage.status).in_(list(statuses)),
        )
        .order_by(col(OutboxMessage.created_at))
    )
    rows = (await session.execute(statement)).all()
    return list(dict.fromkeys((number, member_id) for number, member_id in rows))
