"""Queries on concern reports."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.drug_warnings.reports.models import ConcernReport
from app.drug_warnings.repository import newest_first


def add_report(session: AsyncSession, report: ConcernReport) -> None:
    session.add(report)


async def get_report(session: AsyncSession, report_id: uuid.UUID) -> ConcernReport | None:
    return await session.get(ConcernReport, report_id)


async def list_reports(
    session: AsyncSession, *, municipalities: list[str], offset: int, limit: int
) -> list[ConcernReport]:
    statement = newest_first(
        select(ConcernReport).where(col(ConcernReport.municipality_code).in_(municipalities)),
        ConcernReport.created_at,
        ConcernReport.id,
        offset=offset,
        limit=limit,
    )
    return list((await session.execute(statement)).scalars())
