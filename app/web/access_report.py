"""The leader's access report on the staff pages: who saw a person's data, as a printable
document to hand over on the person's written request (issue 22; `app.audit.report`).

* `GET /a/access-report`: the form (national id and reason), for the team leader only.
* `POST /a/access-report` (CSRF): the report of the leader's municipality, made by the same
  service as `POST /v1/audit/access-report`, and logged as an access through the page. A
  national id that is not valid comes back in the form with the reason; nothing is logged.
  The national id travels only in the form's body, never in a URL, and is not shown again.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from app.audit import service as audit
from app.audit.enums import ActorKind, Channel
from app.audit.schemas import DEFAULT_REPORT_REASON, AccessReportRequest
from app.auth.staff.deps import OptionalStaff, session_csrf_token
from app.auth.staff.identity import StaffIdentity
from app.deps import StateDep, TxSession
from app.state import AppState
from app.web.refusals import reason_of_invalid
from app.web.staff_pages import gate, leader_only, render, to_signin, words_of

router = APIRouter(prefix="/access-report", include_in_schema=False)


def _form(
    request: Request,
    state: AppState,
    staff: StaffIdentity,
    *,
    reason: str = DEFAULT_REPORT_REASON,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "access_report_form.html",
        staff,
        status=status,
        csrf=session_csrf_token(state, staff),
        reason=reason,
        error=error,
    )


@router.api_route("", methods=["GET", "HEAD"])
async def access_report_form(request: Request, state: StateDep, staff: OptionalStaff) -> Response:
    if staff is None:
        return to_signin(request)
    if not staff.is_leader:
        return leader_only(request, staff)
    return _form(request, state, staff)


@router.post("")
async def make_access_report(
    request: Request,
    state: StateDep,
    session: TxSession,
    staff: OptionalStaff,
    csrf: Annotated[str, Form(max_length=200)] = "",
    national_id: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=500)] = DEFAULT_REPORT_REASON,
) -> Response:
    refusal = gate(request, state, staff, csrf, leader=True)
    if refusal is not None or staff is None:
        return refusal or to_signin(request)
    try:
        asked = AccessReportRequest(
            national_id=national_id, reason=reason, municipality=staff.municipality_code
        )
    except ValidationError as exc:
        error = reason_of_invalid(exc, words_of(staff))
        return _form(request, state, staff, reason=reason, error=error, status=422)
    report = await audit.access_report(
        session,
        asker=audit.Discloser(ActorKind.STAFF, str(staff.member_id), Channel.PAGE),
        municipalities={staff.municipality_code},
        request=asked,
        now=state.clock.now(),
        hasher=state.hasher,
    )
    return render(
        request, "access_report.html", staff, report=report, municipality=staff.municipality_name
    )
