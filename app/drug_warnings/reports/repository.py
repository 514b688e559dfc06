"""Queries on concern reports."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from app.drug_warnings.reports.models import ConcernReport
from app.drug_warnings.repository import Page, one_page


def add_report(session: AsyncSession, report: ConcernReport) -> None:
    session.add(report)


async def get_report(session: AsyncSession, report_id: uuid.UUID) -> ConcernReport | None:
    return await session.get(ConcernReport, report_id)


async def list_reports(session: AsyncSession, page: Page) -> list[ConcernReport]:
    statement = one_page(
        select(ConcernReport), page, ConcernReport, newest=ConcernReport.created_at
    )
    return list((await session.execute(statement)).scalars())
