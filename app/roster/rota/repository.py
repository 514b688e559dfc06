"""Queries on duty rosters: rotations, shifts and overrides."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import ColumnElement, delete, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.roster.enums import ShiftSource
from app.roster.models import OverrideRow, RotationRow, ShiftRow

RosterRow = RotationRow | ShiftRow | OverrideRow
Row = TypeVar("Row", RotationRow, ShiftRow, OverrideRow)
TimedRow = TypeVar("TimedRow", ShiftRow, OverrideRow)


def add(session: AsyncSession, row: RosterRow) -> None:
    session.add(row)


async def delete_row(session: AsyncSession, row: RosterRow) -> None:
    await session.delete(row)


async def get(session: AsyncSession, row_type: type[Row], row_id: uuid.UUID) -> Row | None:
    """The rotation, shift or override (`row_type`) of that id."""
    return await session.get(row_type, row_id)


async def list_rotations(session: AsyncSession, *, team_id: uuid.UUID) -> Sequence[RotationRow]:
    result = await session.execute(
        select(RotationRow)
        .where(col(RotationRow.team_id) == team_id)
        .order_by(col(RotationRow.created_at), col(RotationRow.id))
    )
    return result.scalars().all()


async def list_overlapping(
    session: AsyncSession,
    row_type: type[TimedRow],
    *,
    team_id: uuid.UUID,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Sequence[TimedRow]:
    """The team's shifts or overrides (`row_type`) overlapping [start, end), in order of
    their start; an open bound is unlimited."""
    query = select(row_type).where(col(row_type.team_id) == team_id)
    if start is not None:
        query = query.where(col(row_type.ends_at) > start)
    if end is not None:
        query = query.where(col(row_type.starts_at) < end)
    query = query.order_by(col(row_type.starts_at), col(row_type.id))
    return (await session.execute(query)).scalars().all()


async def count_ical_shifts(
    session: AsyncSession, *, team_id: uuid.UUID, start: datetime, end: datetime
) -> int:
    result = await session.execute(
        select(func.count()).select_from(ShiftRow).where(*_ical_in_window(team_id, start, end))
    )
    return int(result.scalar_one())


async def delete_ical_shifts(
    session: AsyncSession, *, team_id: uuid.UUID, start: datetime, end: datetime
) -> int:
    """Delete calendar-imported shifts overlapping [start, end); how many went."""
    result = await session.execute(
        delete(ShiftRow)
        .where(*_ical_in_window(team_id, start, end))
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _ical_in_window(
    team_id: uuid.UUID, start: datetime, end: datetime
) -> tuple[ColumnElement[bool], ...]:
    return (
        col(ShiftRow.team_id) == team_id,
        col(ShiftRow.source) == ShiftSource.ICAL.value,
        col(ShiftRow.ends_at) > start,
        col(ShiftRow.starts_at) < end,
    )
