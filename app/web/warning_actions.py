"""The leader's forms on the overview (`overview`, `_leader_overview.html`), each one POST
that answers 303 back to `/a/cases?done=<what>` or a page with the reason (nothing stored):

* `POST /a/warnings/<id>/approve`: approve and send (with the box "I have read the SMS"
  ticked) to the recipients whose boxes the leader left ticked (the suggestion for the
  warning's kind comes ticked): their SMS are due at once (the worker is woken after commit),
  and the neighbours' leaders see it in their lists. An approval that reaches nobody by SMS
  (no contact list, or no mobile ticked; the draft warns of the first) says so.
* `POST /a/warnings/<id>/review`: record the review of an expired warning (a note).
* `POST /a/signals/<id>/dismiss`: no warning is needed (a note).

Drafting and editing are `app.web.warnings`, whose form helpers these share.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form
from fastapi.responses import Response
from pydantic import ValidationError

from app.drug_warnings.common import WarningScope
from app.drug_warnings.recipients import Dispatch
from app.drug_warnings.schemas import ActingStaff
from app.drug_warnings.signals import service as signals
from app.drug_warnings.signals.schemas import DismissalIn
from app.drug_warnings.warnings import service as drafts
from app.drug_warnings.warnings.schemas import MAX_RECIPIENTS, ApprovalIn, ReviewIn, WarningOut
from app.errors import DomainError, NotFound
from app.web.refusals import reason_of, reason_of_invalid
from app.web.staff_pages import not_found, refused, words_of
from app.web.warnings import (
    FormText,
    LeaderPost,
    LeaderPostDep,
    acting,
    done_page,
    warning_scope,
)

warnings_router = APIRouter(prefix="/warnings", include_in_schema=False)
signals_router = APIRouter(prefix="/signals", include_in_schema=False)
router = APIRouter(include_in_schema=False)
"""Both, for `app.web.app` (before the links' catch-all `/a/{token}`)."""

Action = Callable[[WarningScope, uuid.UUID, ActingStaff], Awaitable[object]]
"""What a form of the overview does to the warning or signal it names: with the member's
scope (`warning_scope`), as the member (`acting`, the `by` of what it sends)."""
Done = str | Callable[[Any], str]
"""What the overview then says was done (`warnings.done.<what>`), or how to tell it from
what the action answered."""
Noted = TypeVar("Noted", ReviewIn, DismissalIn)
"""A note by the member: the review of a warning, or why a signal needs none."""


def _noting(
    schema: type[Noted],
    note: str,
    act: Callable[[WarningScope, uuid.UUID, Noted], Awaitable[object]],
) -> Action:
    """`act` with `note` by the member, validated as `schema` inside the action, so that a
    refused note is answered with a page (`_act`)."""

    async def noting(scope: WarningScope, key: uuid.UUID, by: ActingStaff) -> object:
        return await act(scope, key, schema.model_validate({"by": by, "note": note}))

    return noting


async def _act(
    post: LeaderPost,
    subject_id: str,
    action: Action,
    *,
    done: Done,
    confirmed: bool = True,
    wake: bool = False,
) -> Response:
    """The gate, then `action` in one transaction; PRG to `done`, or a page with the reason
    (nothing stored or sent). With `wake`, the worker is woken after commit (SMS are due)."""
    gated = post.leader_and_id(subject_id)
    if isinstance(gated, Response):
        return gated
    staff, key = gated
    request, session = post.request, post.session
    words = words_of(staff)
    if not confirmed:
        return refused(request, staff, words.gettext("warnings.reason.unconfirmed"), 422)
    # Its own transaction, not `TxSession`: a refusal is answered with a page (not an error),
    # so the refused write must be rolled back here, inside the endpoint.
    try:
        async with session.begin():
            result = await action(warning_scope(session, post.state, staff), key, acting(staff))
    except ValidationError as exc:
        return refused(request, staff, reason_of_invalid(exc, words), 422)
    except NotFound:
        return not_found(request, staff)
    except DomainError as exc:  # refused: nothing was stored or sent
        return refused(request, staff, reason_of(exc, words), exc.status)
    if wake:
        post.state.worker.wake()
    return done_page(request, done if isinstance(done, str) else done(result))


@warnings_router.post("/{warning_id}/approve")
async def approve_warning(
    warning_id: str,
    post: LeaderPostDep,
    confirm: Annotated[str, Form(max_length=10)] = "",
    choice: Annotated[str, Form(max_length=10)] = "",
    recipient: Annotated[list[str], Form(max_length=MAX_RECIPIENTS)] = [],  # noqa: B006
) -> Response:
    """The boxes of the recipients the leader ticked (`choice=shown`: the list was on the
    page, so no box ticked is nobody); without the list, the suggestion."""
    chosen = recipient if choice == "shown" else None

    async def approve(scope: WarningScope, key: uuid.UUID, by: ActingStaff) -> WarningOut:
        approval = ApprovalIn.model_validate({"by": by, "recipients": chosen})
        return await drafts.approve_warning(scope, warning_id=key, approval=approval)

    return await _act(
        post, warning_id, approve, done=_approved, confirmed=confirm == "yes", wake=True
    )


def _approved(warning: WarningOut) -> str:
    """Approved and sent by SMS, or approved and sent to nobody by SMS: said as it is."""
    sent = any(r.dispatch is Dispatch.SMS for r in warning.recipients)
    return "approved" if sent else "approved_unsent"


@warnings_router.post("/{warning_id}/review")
async def review_warning(warning_id: str, post: LeaderPostDep, note: FormText = "") -> Response:
    async def review(scope: WarningScope, key: uuid.UUID, review: ReviewIn) -> object:
        return await drafts.review_warning(scope, warning_id=key, review=review)

    return await _act(post, warning_id, _noting(ReviewIn, note, review), done="reviewed")


@signals_router.post("/{signal_id}/dismiss")
async def dismiss_signal(signal_id: str, post: LeaderPostDep, note: FormText = "") -> Response:
    async def dismiss(scope: WarningScope, key: uuid.UUID, dismissal: DismissalIn) -> object:
        return await signals.dismiss_signal(scope, signal_id=key, dismissal=dismissal)

    return await _act(post, signal_id, _noting(DismissalIn, note, dismiss), done="dismissed")


router.include_router(warnings_router)
router.include_router(signals_router)
