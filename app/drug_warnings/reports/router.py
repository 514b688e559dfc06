"""The API of concern reports: partners (`concerns:write`) and any signed-in staff member file
them; the leader lists them."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.api.queries import Limit, MunicipalityQuery, Offset
from app.deps import TxSession
from app.drug_warnings.api import (
    NOT_FOUND,
    PROBLEMS,
    TAG,
    TEXT_REFUSED,
    Leader,
    ReporterCall,
    page_of,
)
from app.drug_warnings.reports import service as reports
from app.drug_warnings.reports.schemas import ConcernReportIn, ConcernReportOut

router = APIRouter(prefix="/v1", tags=[TAG])


@router.post(
    "/concern-reports",
    status_code=status.HTTP_201_CREATED,
    summary="File a concern report about a dangerous drug",
    description="For partners (police, the injection room, Feltpleien, user organisations) "
    "with the `concerns:write` scope, and for any signed-in staff member: a drug "
    "seen or heard of that may call for a warning. It goes to the leader's list; nobody is "
    "warned until the leader approves a warning. The description must not identify anyone: "
    "a national id or a phone number is refused.",
    responses={**PROBLEMS, **TEXT_REFUSED},
)
async def create_concern_report(
    report_in: ConcernReportIn, caller: ReporterCall
) -> ConcernReportOut:
    return await reports.file_concern_report(caller.scope, report_in=report_in, filer=caller.filer)


@router.get(
    "/concern-reports",
    summary="List the concern reports of the client's municipalities",
    description="Newest first.",
    responses={**PROBLEMS, **NOT_FOUND},
)
async def list_concern_reports(
    session: TxSession,
    acting: Leader,
    municipality: MunicipalityQuery = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> list[ConcernReportOut]:
    page = page_of(municipality, acting, offset=offset, limit=limit)
    return await reports.concern_reports(session, page)
