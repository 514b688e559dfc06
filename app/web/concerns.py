"""Any signed-in staff member files a concern report (a dangerous drug seen or heard of):

* `GET /a/concerns/new`, `POST /a/concerns` (CSRF): filed as municipal staff, for the
  member's municipality; 303 to `GET /a/concerns/<id>`, the confirmation, which only the
  filer and the leader see. A refused description (a national id, a phone number, too short)
  comes back in the form with the reason; nothing is stored.

The leader drafts a warning from a report (`app.web.warnings`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.staff.deps import OptionalStaff, session_csrf_token
from app.auth.staff.identity import StaffIdentity
from app.deps import SessionDep, StateDep, TxSession
from app.drug_warnings.common import Filer, WarningScope
from app.drug_warnings.reports import repository as reports_repository
from app.drug_warnings.reports import service as reports
from app.drug_warnings.reports.models import ConcernReport
from app.drug_warnings.reports.schemas import ConcernReportIn, ReporterKind
from app.errors import DomainError
from app.notify.texts import OSLO
from app.overdose.enums import Substance
from app.state import AppState
from app.web.refusals import reason_of, reason_of_invalid
from app.web.staff_pages import gate, not_found, render, root, to_signin, uuid_or_none, words_of

router = APIRouter(prefix="/concerns", include_in_schema=False)

SUBSTANCES = tuple(Substance)
FormCsrf = Annotated[str, Form(max_length=200)]
MAX_FORM_TEXT = 4000
"""What a form field may carry at most; the models refuse, with a reason, what is too long."""


@dataclass
class ConcernForm:
    """What the member typed, kept when a report is refused."""

    description: str = ""
    substances: list[str] = field(default_factory=list)
    observed_at: str = ""


def _concern_page(
    request: Request,
    state: AppState,
    staff: StaffIdentity,
    form: ConcernForm,
    *,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "concern_new.html",
        staff,
        status=status,
        form=form,
        substances=SUBSTANCES,
        csrf=session_csrf_token(state, staff),
        error=error,
    )


def _observed(value: str) -> datetime | None:
    """The form's `datetime-local` (Oslo wall time), aware; ValueError when not a time."""
    value = value.strip()
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=OSLO)


@router.api_route("/new", methods=["GET", "HEAD"])
async def new_concern(request: Request, state: StateDep, staff: OptionalStaff) -> Response:
    if staff is None:
        return to_signin(request)
    return _concern_page(request, state, staff, ConcernForm())


@router.post("")
async def file_concern(
    request: Request,
    state: StateDep,
    session: SessionDep,
    staff: OptionalStaff,
    csrf: FormCsrf = "",
    description: Annotated[str, Form(max_length=MAX_FORM_TEXT)] = "",
    substances: Annotated[list[str] | None, Form()] = None,
    observed_at: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    refusal = gate(request, state, staff, csrf, leader=False)
    if refusal is not None or staff is None:
        return refusal or to_signin(request)
    words = words_of(staff)
    chosen = substances or []
    form = ConcernForm(description=description, substances=chosen, observed_at=observed_at)
    try:
        report_in = ConcernReportIn(
            municipality=staff.municipality_code,
            reporter_kind=ReporterKind.MUNICIPAL_STAFF,
            description=description,
            substances=[Substance(s) for s in chosen],
            observed_at=_observed(observed_at),
        )
    except ValidationError as exc:
        reason = reason_of_invalid(exc, words)
        return _concern_page(request, state, staff, form, error=reason, status=422)
    except ValueError:  # an unknown substance, or not a time
        reason = words.gettext("warnings.reason.invalid")
        return _concern_page(request, state, staff, form, error=reason, status=422)
    # Its own transaction, not `TxSession`: a refusal is answered with the form again (not an
    # error), so the refused write must be rolled back here, inside the endpoint.
    try:
        async with session.begin():
            scope = WarningScope(
                session, frozenset({staff.municipality_code}), state.clock.now(), state.cipher
            )
            filed = await reports.file_concern_report(
                scope, report_in=report_in, filer=Filer(member_id=staff.member_id)
            )
    except DomainError as exc:  # refused: nothing was stored
        reason = reason_of(exc, words)
        return _concern_page(request, state, staff, form, error=reason, status=exc.status)
    return RedirectResponse(f"{root(request)}/concerns/{filed.id}", status_code=303)


@router.api_route("/{report_id}", methods=["GET", "HEAD"])
async def concern_filed(
    report_id: str, request: Request, session: TxSession, staff: OptionalStaff
) -> Response:
    """The confirmation: the report as filed, for its filer and the leader."""
    if staff is None:
        return to_signin(request)
    report = await report_of(session, staff, uuid_or_none(report_id))
    if report is None or not (staff.is_leader or report.member_id == staff.member_id):
        return not_found(request, staff)
    return render(request, "concern_filed.html", staff, report=report)


async def report_of(
    session: AsyncSession, staff: StaffIdentity, report_id: uuid.UUID | None
) -> ConcernReport | None:
    """The member's municipality's report, else None (another municipality's is unknown)."""
    if report_id is None:
        return None
    report = await reports_repository.get_report(session, report_id)
    if report is None or report.municipality_code != staff.municipality_code:
        return None
    return report
