"""The leader acts on drug warnings from their phone, without JavaScript (anyone else gets a
403 page; another municipality's ids are 404 pages, as ids that do not exist):

* `GET /a/warnings/new?signal=<id>` (or `?report=<id>`), `POST /a/warnings`: draft a warning
  from an open cluster signal or a concern report (`app.web.concerns`). A draft reaches nobody.
* `GET /a/warnings/<id>/edit`, `POST /a/warnings/<id>/edit`: change a draft's text and days.
* Approving and sending, recording the review of an expired warning, dismissing a signal:
  the forms of the leader's overview, in `app.web.warning_actions`.

The forms are on the leader's overview (`overview`, `_leader_overview.html`) and the two form
pages. Every POST checks the session's CSRF token and answers 303 back to `/a/cases` (PRG),
where `?done=<what>` names what was done; a refusal of the services (422: personal data in the
text, an SMS too long; 409: decided already) is a page with the reason, and nothing was stored.
The services of `app.drug_warnings` are called directly, for the member's one municipality.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.staff.deps import OptionalStaff, session_csrf_token
from app.auth.staff.identity import StaffIdentity
from app.deps import SessionDep, StateDep, TxSession
from app.drug_warnings.common import Filer, WarningScope
from app.drug_warnings.reports.models import ConcernReport
from app.drug_warnings.schemas import ActingStaff
from app.drug_warnings.signals import repository as signals_repository
from app.drug_warnings.signals import service as signals
from app.drug_warnings.warnings import lists
from app.drug_warnings.warnings import service as drafts
from app.drug_warnings.warnings.schemas import (
    DEFAULT_VALID_DAYS,
    MAX_VALID_DAYS,
    MAX_WARNING_TEXT,
    WarningEdit,
    WarningIn,
    WarningState,
)
from app.errors import Conflict, DomainError, NotFound
from app.state import AppState
from app.web import overview
from app.web.concerns import MAX_FORM_TEXT, report_of
from app.web.overview import SignalItem
from app.web.refusals import reason_of, reason_of_invalid
from app.web.staff_pages import (
    gate,
    language,
    leader_only,
    not_found,
    refused,
    render,
    root,
    to_signin,
    uuid_or_none,
    words_of,
)

router = APIRouter(prefix="/warnings", include_in_schema=False)
"""For `app.web.app`, before the links' catch-all `/a/{token}`."""

DONE = ("drafted", "edited", "approved", "approved_unsent", "dismissed", "reviewed")
"""What `?done=` on `/a/cases` may name (`warnings.done.<what>` words); `approved_unsent`: an
approved warning that went to nobody by SMS (no contact list, or no mobile chosen)."""

FormText = Annotated[str, Form(max_length=MAX_FORM_TEXT)]
"""A note or a warning's text, as the forms here and in `app.web.warning_actions` send it."""
FormId = Annotated[str, Form(max_length=100)]
FormCsrf = Annotated[str, Form(max_length=200)]


def done_page(request: Request, what: str) -> RedirectResponse:
    """PRG: back to the cases, where the overview says what was done (`#done`)."""
    assert what in DONE
    return RedirectResponse(f"{root(request)}/cases?done={what}#done", status_code=303)


@dataclass
class LeaderPost:
    """What every form post of the leader's brings: the request, the app, a session whose
    transactions the route opens itself (a refusal is answered with a page, so the refused
    write must be rolled back inside the endpoint), the member signed in, the CSRF token."""

    request: Request
    state: AppState
    session: AsyncSession
    staff: StaffIdentity | None
    csrf: str

    def leader(self) -> StaffIdentity | Response:
        """The leader who posted, or the answer instead: sign in, an expired form, not the
        leader (`gate`)."""
        refusal = gate(self.request, self.state, self.staff, self.csrf, leader=True)
        if refusal is not None or self.staff is None:
            return refusal or to_signin(self.request)
        return self.staff

    def leader_and_id(self, subject_id: str) -> tuple[StaffIdentity, uuid.UUID] | Response:
        """The leader who posted and the warning or signal id in the path, or the answer
        instead: as `leader`, or an id that is no id (404)."""
        staff = self.leader()
        if isinstance(staff, Response):
            return staff
        key = uuid_or_none(subject_id)
        if key is None:
            return not_found(self.request, staff)
        return staff, key


async def _leader_post(
    request: Request,
    state: StateDep,
    session: SessionDep,
    staff: OptionalStaff,
    csrf: FormCsrf = "",
) -> LeaderPost:
    return LeaderPost(request=request, state=state, session=session, staff=staff, csrf=csrf)


LeaderPostDep = Annotated[LeaderPost, Depends(_leader_post)]
"""A leader's form post, for the routes here and in `app.web.warning_actions`."""


def acting(staff: StaffIdentity) -> ActingStaff:
    return ActingStaff(name=staff.name[:100], role=staff.role[:100] or "-")


def own_municipality(staff: StaffIdentity) -> frozenset[str]:
    return frozenset({staff.municipality_code})


def warning_scope(session: AsyncSession, state: AppState, staff: StaffIdentity) -> WarningScope:
    """What a staff member's change acts with: their own municipality, the time now."""
    return WarningScope(session, own_municipality(staff), state.clock.now(), state.cipher)


@dataclass
class WarningForm:
    """The drafting or editing form: its source, and what the leader typed."""

    text: str = ""
    valid_days: str = str(DEFAULT_VALID_DAYS)
    signal_id: str = ""
    report_id: str = ""


@dataclass
class Source:
    """What a draft answers, as the form page shows it."""

    signal: SignalItem | None = None
    report: ConcernReport | None = None


async def _source(
    session: AsyncSession, staff: StaffIdentity, signal_id: str, report_id: str
) -> Source | None:
    """The signal and/or report of the member's municipality; None when one of them is not
    (or neither is given)."""
    source = Source()
    if signal_id:
        signal_key = uuid_or_none(signal_id)
        row = await signals_repository.get_signal(session, signal_key) if signal_key else None
        if row is None or row.municipality_code != staff.municipality_code:
            return None
        source.signal = overview.signal_item(signals.signal_out(row), language(staff))
    if report_id:
        source.report = await report_of(session, staff, uuid_or_none(report_id))
        if source.report is None:
            return None
    return source if source.signal or source.report else None


def _form_page(
    request: Request,
    state: AppState,
    staff: StaffIdentity,
    form: WarningForm,
    *,
    source: Source | None = None,
    warning_id: uuid.UUID | None = None,
    sms_text: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The drafting page (with `source`) or the editing page (with `warning_id`)."""
    base = root(request)
    return render(
        request,
        "warning_form.html",
        staff,
        status=status,
        form=form,
        source=source,
        editing=warning_id is not None,
        action=f"{base}/warnings/{warning_id}/edit" if warning_id else f"{base}/warnings",
        sms_text=sms_text,
        max_text=MAX_WARNING_TEXT,
        max_days=MAX_VALID_DAYS,
        csrf=session_csrf_token(state, staff),
        error=error,
    )


@router.api_route("/new", methods=["GET", "HEAD"])
async def new_warning(
    request: Request,
    state: StateDep,
    session: TxSession,
    staff: OptionalStaff,
    signal: Annotated[str, Query(max_length=100)] = "",
    report: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    if staff is None:
        return to_signin(request)
    if not staff.is_leader:
        return leader_only(request, staff)
    source = await _source(session, staff, signal, report)
    if source is None:
        return not_found(request, staff)
    form = WarningForm(signal_id=signal, report_id=report)
    return _form_page(request, state, staff, form, source=source)


def _days(value: str) -> int | str:
    """The form's days as a number, or as typed (the model refuses it with a reason)."""
    value = value.strip()
    return int(value) if value.isdecimal() and len(value) < 6 else value


@router.post("")
async def create_warning(
    post: LeaderPostDep,
    text: FormText = "",
    valid_days: Annotated[str, Form(max_length=20)] = "",
    signal_id: FormId = "",
    report_id: FormId = "",
) -> Response:
    staff = post.leader()
    if isinstance(staff, Response):
        return staff
    request, state, session = post.request, post.state, post.session
    words = words_of(staff)
    form = WarningForm(text=text, valid_days=valid_days, signal_id=signal_id, report_id=report_id)
    error: str
    # Two transactions of its own, not `TxSession`: a refusal is answered with the form again
    # (not an error), so the refused write is rolled back here before the source is read.
    try:
        async with session.begin():
            source = await _source(session, staff, signal_id, report_id)
            if source is None:
                return not_found(request, staff)
            try:
                warning_in = WarningIn.model_validate(
                    {
                        "municipality": staff.municipality_code,
                        "signal_id": uuid_or_none(signal_id),
                        "concern_report_id": uuid_or_none(report_id),
                        "text": text,
                        "valid_days": _days(valid_days),
                        "by": acting(staff),
                    }
                )
            except ValidationError as exc:
                error, status = reason_of_invalid(exc, words), 422
            else:
                await drafts.create_warning(
                    warning_scope(session, state, staff),
                    warning_in=warning_in,
                    filer=Filer(member_id=staff.member_id),
                )
                return done_page(request, "drafted")
    except NotFound:
        return not_found(request, staff)
    except DomainError as exc:  # refused: nothing was stored
        error, status = reason_of(exc, words), exc.status
    async with session.begin():  # the source again, for the form with the reason
        source = await _source(session, staff, signal_id, report_id)
    return _form_page(request, state, staff, form, source=source, error=error, status=status)


@router.api_route("/{warning_id}/edit", methods=["GET", "HEAD"])
async def edit_page(
    warning_id: str, request: Request, state: StateDep, session: TxSession, staff: OptionalStaff
) -> Response:
    if staff is None:
        return to_signin(request)
    if not staff.is_leader:
        return leader_only(request, staff)
    key = uuid_or_none(warning_id)
    if key is None:
        return not_found(request, staff)
    try:
        warning = await lists.get_warning(
            session,
            warning_id=key,
            municipalities=own_municipality(staff),
            now=state.clock.now(),
        )
    except NotFound:
        return not_found(request, staff)
    if warning.state is not WarningState.DRAFT:
        conflict = words_of(staff).gettext("warnings.reason.conflict")
        return refused(request, staff, conflict, 409)
    form = WarningForm(text=warning.text, valid_days=str(warning.valid_days))
    return _form_page(request, state, staff, form, warning_id=key, sms_text=warning.sms_text)


@router.post("/{warning_id}/edit")
async def edit_warning(
    warning_id: str,
    post: LeaderPostDep,
    text: FormText = "",
    valid_days: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    gated = post.leader_and_id(warning_id)
    if isinstance(gated, Response):
        return gated
    staff, key = gated
    request, state, session = post.request, post.state, post.session
    words = words_of(staff)
    form = WarningForm(text=text, valid_days=valid_days)
    # Its own transaction, not `TxSession`: a refusal is answered with the form again (not an
    # error), so the refused write must be rolled back here, inside the endpoint.
    try:
        edit = WarningEdit.model_validate(
            {"text": text, "valid_days": _days(valid_days), "by": acting(staff)}
        )
        async with session.begin():
            await drafts.edit_warning(
                warning_scope(session, state, staff), warning_id=key, edit=edit
            )
        return done_page(request, "edited")
    except ValidationError as exc:
        error, status = reason_of_invalid(exc, words), 422
    except NotFound:
        return not_found(request, staff)
    except Conflict as exc:
        return refused(request, staff, reason_of(exc, words), exc.status)
    except DomainError as exc:  # refused: nothing was stored
        error, status = reason_of(exc, words), exc.status
    return _form_page(request, state, staff, form, warning_id=key, error=error, status=status)
