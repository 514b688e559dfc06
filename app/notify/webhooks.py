"""Twilio status callbacks: signed delivery reports that update the outbox."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from twilio.request_validator import RequestValidator

from app.deps import SessionDep, StateDep
from app.errors import Forbidden, Problem
from app.escalation.engine import manager as escalation_engine
from app.notify import outbox
from app.notify.dispatcher import STATUS_CALLBACK_PATH, mark_callback_status

router = APIRouter(tags=["webhooks"])

FINAL_STATUSES = frozenset({"delivered", "failed", "undelivered"})


@router.post(
    STATUS_CALLBACK_PATH,
    status_code=204,
    summary="Twilio delivery report",
    description="Called by Twilio with `X-Twilio-Signature`. A failed or undelivered message "
    "moves its alert's escalation to the next step at once.",
    responses={403: {"model": Problem, "description": "Missing or wrong signature"}},
)
async def twilio_status(request: Request, state: StateDep, session: SessionDep) -> Response:
    token = state.settings.sms.twilio_auth_token
    form = await request.form()
    params = {key: str(value) for key, value in form.items()}
    # Twilio signs the public URL it called, which a proxy may have rewritten.
    url = state.settings.http.public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    signature = request.headers.get("X-Twilio-Signature", "")
    if token is None or not RequestValidator(token.get_secret_value()).validate(
        url, params, signature
    ):
        raise Forbidden("The request is not signed by Twilio.")
    escalated = False
    if params.get("MessageStatus") not in FINAL_STATUSES:
        return Response(status_code=204)  # queued/sent/accepted change nothing we act on
    async with session.begin():
        message = await outbox.get_by_provider_id(session, params.get("MessageSid", ""))
        if message is not None:
            now = state.clock.now()
            failed = mark_callback_status(
                message,
                status=params.get("MessageStatus", ""),
                error_code=params.get("ErrorCode"),
                at=now,
            )
            if failed is not None:
                escalated = await escalation_engine.escalate_now(
                    session,
                    alert_id=failed.alert_id,
                    pass_index=failed.pass_index,
                    step_index=failed.step_index,
                    now=now,
                )
    if escalated and state.worker is not None:
        state.worker.wake()
    return Response(status_code=204)
