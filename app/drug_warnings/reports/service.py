"""Concern reports: a dangerous drug seen or heard of, filed by hand.

By staff through the case system, or by a partner (police, injection room, user
organisation) with a client holding `concerns:write`. A report goes to the leader's list and
may become the source of a warning (`warnings.service.create_warning`); it reaches nobody by itself.
Its description was checked for personal data by the schema.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.drug_warnings.common import Filer, WarningScope, own_municipality_name, refuse
from app.drug_warnings.reports import repository
from app.drug_warnings.reports.models import ConcernReport
from app.drug_warnings.reports.schemas import ConcernReportIn, ConcernReportOut, ReporterKind
from app.drug_warnings.repository import Page
from app.overdose.enums import Substance

MAX_FUTURE = timedelta(hours=1)
"""How far ahead of our clock `observed_at` may be (a sender's clock a little fast)."""


async def file_concern_report(
    scope: WarningScope, *, report_in: ConcernReportIn, filer: Filer
) -> ConcernReportOut:
    await own_municipality_name(scope.session, report_in.municipality, scope.municipalities)
    if report_in.observed_at is not None and report_in.observed_at > scope.now + MAX_FUTURE:
        raise refuse("observed_at", "in the future; check the clock and time zone")
    report = ConcernReport(
        municipality_code=report_in.municipality,
        reporter_kind=report_in.reporter_kind.value,
        description=report_in.description,
        substances=[s.value for s in report_in.substances],
        observed_at=report_in.observed_at,
        client_id=filer.client_id,
        member_id=filer.member_id,
        created_at=scope.now,
    )
    repository.add_report(scope.session, report)
    return _report_out(report)


async def concern_reports(session: AsyncSession, page: Page) -> list[ConcernReportOut]:
    """The page's reports, newest first."""
    return [_report_out(r) for r in await repository.list_reports(session, page)]


def _report_out(report: ConcernReport) -> ConcernReportOut:
    return ConcernReportOut(
        id=report.id,
        municipality=report.municipality_code,
        reporter_kind=ReporterKind(report.reporter_kind),
        description=report.description,
        substances=[Substance(s) for s in report.substances],
        observed_at=report.observed_at,
        created_at=report.created_at,
    )
