"""The follow-up case pages of signed-in staff (`/a/cases`), phone-first and without JavaScript.

* `GET /a/cases`: "Mine saker", the open cases the member owns or has a step of (as owner or
  companion); the leader sees every open case of the municipality, and below them its cluster
  signals and drug warnings (`overview`). Cases with an overdue step come first
  (`views.list_cases`), and their overdue steps are named; an open case that reached the age
  its identity would be purged at says so (`app.retention`: close it, or it is kept).
* `GET /a/cases/<id>`: the case and its steps. Access by `rules.may_see` (`case_access`):
  another municipality's case is answered as one that does not exist. The GET shows no
  personal data and never changes anything; of a step's note it says only that there is one.
* `POST /a/cases/<id>/details`: the case with the person's data and the steps' notes, for
  those with a work need (one access-log entry per showing), checked by the session's CSRF
  token.
* `POST /a/cases/<id>/steps/<key>`: record a step (done, not reached, not applicable, with an
  optional short text), checked by the session's CSRF token; 303 back to the case (PRG).
  Only members of the case's team record; the rules are `changes.record_step`'s.

Without a session every page sends the visitor to the sign-in page. Every refusal is a page.
"""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from app.auth.staff.deps import OptionalStaff, session_csrf_ok, session_csrf_token
from app.auth.staff.identity import StaffIdentity
from app.deps import SessionDep, StateDep, TxSession
from app.errors import DomainError, InvalidFields, NotFound
from app.followup.cases import changes, views
from app.followup.cases.actor import Actor, CaseScope
from app.followup.cases.models import FollowupStep
from app.followup.cases.schemas import CaseOut, CaseSummary, StepRecordIn
from app.followup.state import CaseState, StepAction
from app.i18n import Words, words
from app.input_guard import has_forbidden_characters
from app.retention import service as retention
from app.web import case_access, overview
from app.web.case_access import CaseDetails, VisibleCase, visible_case
from app.web.pages import fields_of, message_page
from app.web.refusals import service_reasons
from app.web.staff_pages import language, render, root, to_signin

router = APIRouter(prefix="/cases", include_in_schema=False)

RECORD_ACTIONS = (StepAction.DONE, StepAction.NOT_REACHED, StepAction.NOT_APPLICABLE)
LIST_LIMIT = 200


def _actor(staff: StaffIdentity) -> Actor:
    return Actor.staff(staff)


def _case_url(request: Request, case_id: uuid.UUID) -> str:
    return f"{root(request)}/cases/{case_id}"


def _involves(member_id: uuid.UUID, case: CaseSummary, steps: list[FollowupStep]) -> bool:
    if case.owner is not None and case.owner.id == member_id:
        return True
    return any(member_id in (s.owner_member_id, s.companion_member_id) for s in steps)


@router.api_route("", methods=["GET", "HEAD"])
async def my_cases(
    request: Request, state: StateDep, session: TxSession, staff: OptionalStaff
) -> Response:
    if staff is None:
        return to_signin(request)
    now = state.clock.now()
    cases = await views.list_cases(
        session,
        actor=_actor(staff),
        municipality=None,
        state=CaseState.OPEN,
        now=now,
        offset=0,
        limit=LIST_LIMIT,
    )
    steps = await views.steps_by_case(session, [c.id for c in cases])
    board = None  # the leader's overview: signals and warnings (members see none)
    if staff.is_leader:
        board = await overview.leader_overview(
            session, municipality_code=staff.municipality_code, now=now, language=staff.language
        )
    if not staff.is_leader:
        cases = [c for c in cases if _involves(staff.member_id, c, steps.get(c.id, []))]
    overdue = {
        c.id: [s for s in steps.get(c.id, []) if s.active and now >= s.deadline] for c in cases
    }
    return render(
        request,
        "cases.html",
        staff,
        cases=cases,
        overdue=overdue,
        retention_due=await retention.flagged_among(session, [c.id for c in cases]),
        board=board,
        csrf=session_csrf_token(state, staff),  # the overview's forms (`app.web.warnings`)
    )


def _case_page(
    request: Request,
    state_csrf: str,
    staff: StaffIdentity,
    visible: VisibleCase,
    out: CaseOut,
    *,
    shown: CaseDetails | None = None,
    error: str | None = None,
    error_step: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    lang = language(staff)
    return render(
        request,
        "case.html",
        staff,
        status=status,
        case=out,
        may_record=out.state is CaseState.OPEN and visible.case.team_id == staff.team_id,
        may_show=visible.access.sees_personal_data,
        details=shown.details if shown else None,
        fields=fields_of(shown.details if shown else None, words(lang)),
        alerted=shown.alerted if shown else [],
        actions=RECORD_ACTIONS,
        csrf=state_csrf,
        action=_case_url(request, out.id),
        error=error,
        error_step=error_step,
    )


def _not_found(request: Request, staff: StaffIdentity) -> HTMLResponse:
    return message_page(request, "cases.not_found", status=404, language=staff.language)


@router.api_route("/{case_id}", methods=["GET", "HEAD"])
async def case_page(
    case_id: str, request: Request, state: StateDep, session: TxSession, staff: OptionalStaff
) -> Response:
    if staff is None:
        return to_signin(request)
    visible = await visible_case(session, staff, case_id)
    if visible is None:
        return _not_found(request, staff)
    out = await views.case_out(session, visible.case, now=state.clock.now())
    return _case_page(request, session_csrf_token(state, staff), staff, visible, out)


@router.post("/{case_id}/details")
async def show_details(
    case_id: str,
    request: Request,
    state: StateDep,
    session: TxSession,
    staff: OptionalStaff,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """The case with the person's data, for those with a work need (one access-log entry).
    A POST, so that nothing that merely fetches pages (previews, scanners) reads them."""
    if staff is None:
        return to_signin(request)
    if not session_csrf_ok(state, staff, csrf):
        return message_page(request, "cases.forbidden", status=403, language=staff.language)
    now = state.clock.now()
    visible = await visible_case(session, staff, case_id)
    if visible is None:
        return _not_found(request, staff)
    shown = await case_access.disclose(session, staff, visible, now=now, cipher=state.cipher)
    if shown is None:
        return message_page(request, "cases.no_details", status=403, language=staff.language)
    out = await views.case_out(session, visible.case, now=now, reader=state.cipher)
    return _case_page(request, session_csrf_token(state, staff), staff, visible, out, shown=shown)


def _record_of(action: str, text: str, answer: str = "", notified: str = "") -> StepRecordIn:
    """The form's tap and short text (and, on a step that asks, the answer and whether
    Helsetilsynet was notified, taken with `done` only); InvalidFields when they will not do."""
    if action not in {a.value for a in RECORD_ACTIONS}:
        raise InvalidFields([])
    text = text.strip()
    if has_forbidden_characters(text):
        raise InvalidFields([])
    done = action == StepAction.DONE.value
    try:
        return StepRecordIn.model_validate(
            {
                "action": action,
                "outcome": text or None,
                "answer": (answer or None) if done else None,
                "helsetilsynet_notified": {"yes": True, "no": False}.get(notified)
                if done and answer == "yes"
                else None,
            }
        )
    except ValidationError:
        raise InvalidFields([]) from None


def _reason(exc: DomainError, staff_words: Words) -> str:
    reasons = service_reasons(exc)
    if reasons:
        return "; ".join(reasons)
    return exc.detail if not isinstance(exc, InvalidFields) else staff_words.gettext("case.invalid")


@router.post("/{case_id}/steps/{step_key}")
async def record(
    case_id: str,
    step_key: str,
    request: Request,
    state: StateDep,
    session: SessionDep,
    staff: OptionalStaff,
    csrf: Annotated[str, Form()] = "",
    action: Annotated[str, Form(max_length=20)] = "",
    text: Annotated[str, Form(max_length=1000)] = "",
    answer: Annotated[str, Form(max_length=20)] = "",
    notified: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    if staff is None:
        return to_signin(request)
    if not session_csrf_ok(state, staff, csrf):
        return message_page(request, "cases.forbidden", status=403, language=staff.language)
    now = state.clock.now()
    # Two transactions of its own, not `TxSession`: a refusal is answered with the case page
    # (not an error), so the refused write is rolled back here before the page is read.
    try:
        async with session.begin():
            visible = await visible_case(session, staff, case_id)
            if visible is None:
                return _not_found(request, staff)
            recorded = await changes.record_step(
                CaseScope(session, _actor(staff), now, state.cipher),
                case_id=visible.case.id,
                step_key=step_key,
                record=_record_of(action, text, answer, notified),
            )
        # Back to the step just recorded, not the top of a long case (issue 21).
        to_step = f"#step-{quote(step_key, safe='')}"
        return RedirectResponse(_case_url(request, recorded.id) + to_step, status_code=303)
    except NotFound:
        return _not_found(request, staff)
    except DomainError as exc:  # refused: nothing was stored
        error, status = _reason(exc, words(staff.language)), exc.status
    async with session.begin():  # the case again, as it is, with the reason
        visible = await visible_case(session, staff, case_id)
        if visible is None:
            return _not_found(request, staff)
        out = await views.case_out(session, visible.case, now=now)
    return _case_page(
        request,
        session_csrf_token(state, staff),
        staff,
        visible,
        out,
        error=error,
        error_step=step_key,
        status=status,
    )
