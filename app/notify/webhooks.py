"""Twilio status callbacks: signed delivery reports that update the outbox.

Each message's callback URL names our own outbox id (`.../status/<id>`), so a report that
arrives before the provider's id is stored, or one about an earlier send of a message that
was sent again, still finds its message. The URL without an id, matched by Twilio's
MessageSid, stays for messages sent before ids were in the URL.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from twilio.request_validator import RequestValidator

from app.deps import StateDep, Transaction, TransactionDep
from app.errors import Forbidden
from app.notify import outbox
from app.notify.dispatcher import STATUS_CALLBACK_PATH, apply_report
from app.notify.sms import DeliveryState
from app.notify.twilio_sender import delivery_state
from app.problems import Problem

router = APIRouter(tags=["webhooks"])

DESCRIPTION = (
    "Called by Twilio with `X-Twilio-Signature`. A failed or undelivered message moves its "
    "alert's escalation to the next step at once."
)
FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"model": Problem, "description": "Missing or wrong signature"}
}


@router.post(
    STATUS_CALLBACK_PATH + "/{message_id}",
    status_code=204,
    summary="Twilio delivery report for one message",
    description=DESCRIPTION,
    responses=FORBIDDEN,
)
async def twilio_status_of(
    message_id: str, request: Request, state: StateDep, transaction: TransactionDep
) -> Response:
    params = await signed_params(request, state)
    try:
        key: uuid.UUID | str = uuid.UUID(message_id)
    except ValueError:
        return Response(status_code=204)  # signed, but no message of ours
    return await _apply(key, params, state, transaction)


@router.post(
    STATUS_CALLBACK_PATH,
    status_code=204,
    summary="Twilio delivery report (messages sent before the URL named the message)",
    description=DESCRIPTION,
    responses=FORBIDDEN,
)
async def twilio_status(request: Request, state: StateDep, transaction: TransactionDep) -> Response:
    params = await signed_params(request, state)
    return await _apply(params.get("MessageSid", ""), params, state, transaction)


async def signed_params(request: Request, state: StateDep) -> dict[str, str]:
    token = state.settings.sms.twilio_auth_token
    form = await request.form()
    params = {key: str(value) for key, value in form.items()}
    # Twilio signs the public URL it called (path and query included), which a proxy may
    # have rewritten.
    url = state.settings.http.public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    signature = request.headers.get("X-Twilio-Signature", "")
    if token is None or not RequestValidator(token.get_secret_value()).validate(
        url, params, signature
    ):
        raise Forbidden("The request is not signed by Twilio.")
    return params


async def _apply(
    key: uuid.UUID | str, params: dict[str, str], state: StateDep, transaction: Transaction
) -> Response:
    reported = delivery_state(params.get("MessageStatus", ""))
    if reported not in (DeliveryState.DELIVERED, DeliveryState.FAILED):
        return Response(status_code=204)  # queued/sent/accepted change nothing we act on
    session = transaction.session
    if isinstance(key, uuid.UUID):
        message = await outbox.get(session, key, for_update=True)
    else:
        message = await outbox.get_by_provider_id(session, key)
    if message is not None:
        status = params.get("MessageStatus", "")
        outcome = apply_report(
            message,
            state=reported,
            error=f"{status}: code {params.get('ErrorCode')}"[:200],
            at=state.clock.now(),
        )
        if outcome is not None and await state.outcomes.report(session, outcome):
            transaction.after_commit(state.worker.wake)  # made due
    return Response(status_code=204)
