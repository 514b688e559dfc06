"""Queries on webhook endpoints and deliveries. Claims use FOR UPDATE SKIP LOCKED on PostgreSQL
so workers share the work, and never take a client's delivery while an older one waits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Exists, and_, exists, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.db import is_postgresql
from app.notify import outbox
from app.notify.outbox import claimable
from app.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

_DELIVERY: Any = WebhookDelivery.__table__  # type: ignore[attr-defined]
WAITING = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
"""Deliveries not yet delivered or given up: they hold back the client's newer ones."""


async def get_endpoint(
    session: AsyncSession, client_id: str, *, for_update: bool = False
) -> WebhookEndpoint | None:
    """The client's endpoint; locked until commit with `for_update` (on PostgreSQL), which
    also orders the client's deliveries (see :func:`next_seq`)."""
    statement = select(WebhookEndpoint).where(col(WebhookEndpoint.client_id) == client_id)
    if for_update and is_postgresql(session):
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def endpoints_of(session: AsyncSession, client_ids: set[str]) -> dict[str, WebhookEndpoint]:
    """The endpoints of these clients, by client id."""
    if not client_ids:
        return {}
    statement = select(WebhookEndpoint).where(col(WebhookEndpoint.client_id).in_(client_ids))
    return {e.client_id: e for e in (await session.execute(statement)).scalars()}


def add(session: AsyncSession, row: WebhookEndpoint | WebhookDelivery) -> None:
    session.add(row)


async def next_seq(session: AsyncSession, client_id: str) -> int:
    """The next number in the client's order of creation. Call it with the endpoint locked
    (:func:`get_endpoint` with `for_update`), so two transactions never draw the same."""
    statement = select(func.coalesce(func.max(WebhookDelivery.seq), 0)).where(
        col(WebhookDelivery.client_id) == client_id
    )
    return int((await session.execute(statement)).scalar_one()) + 1


async def claim_due(
    session: AsyncSession, *, now: datetime, lease_until: datetime, limit: int
) -> list[WebhookDelivery]:
    """Claim deliveries to post: due (or claimed by a worker whose lease ran out), and the
    oldest of their client still waiting, so at most one per client and always in order."""
    due_at = col(WebhookDelivery.next_attempt_at)
    statement = select(WebhookDelivery).where(_due(now)).order_by(due_at).limit(limit)
    return await outbox.claim(
        session,
        statement,
        sending=DeliveryStatus.SENDING,
        lease_until=lease_until,
        of=WebhookDelivery,
    )


def _due(now: datetime) -> ColumnElement[bool]:
    older = _DELIVERY.alias("older")
    held_back = exists().where(
        older.c.client_id == col(WebhookDelivery.client_id),
        older.c.status.in_([s.value for s in WAITING]),
        older.c.seq < col(WebhookDelivery.seq),
    )
    due_at = col(WebhookDelivery.next_attempt_at)
    pending, sending = DeliveryStatus.PENDING, DeliveryStatus.SENDING
    due = claimable(WebhookDelivery, pending=pending, sending=sending, due_at=due_at, now=now)
    return and_(due, ~held_back)


def any_due(now: datetime) -> Exists:
    """Whether `claim_due` would find a delivery (the worker's idle probe)."""
    return exists().where(_due(now))


async def get_delivery(
    session: AsyncSession,
    delivery_id: uuid.UUID,
    *,
    client_id: str | None = None,
    for_update: bool = False,
) -> WebhookDelivery | None:
    """The delivery; with `client_id`, only if it is that client's (others look unknown)."""
    statement = select(WebhookDelivery).where(col(WebhookDelivery.id) == delivery_id)
    if client_id is not None:
        statement = statement.where(col(WebhookDelivery.client_id) == client_id)
    if for_update and is_postgresql(session):
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def list_deliveries(
    session: AsyncSession, *, client_id: str, status: DeliveryStatus | None, limit: int
) -> list[WebhookDelivery]:
    """The client's deliveries, newest first."""
    statement = select(WebhookDelivery).where(col(WebhookDelivery.client_id) == client_id)
    if status is not None:
        statement = statement.where(col(WebhookDelivery.status) == status)
    statement = statement.order_by(col(WebhookDelivery.seq).desc()).limit(limit)
    return list((await session.execute(statement)).scalars())
