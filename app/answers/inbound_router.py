"""Twilio's inbound-message webhook: staff reply to an alert SMS (signed; forged -> 403)."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from functools import partial

from fastapi import APIRouter, Request, Response
from twilio.twiml.messaging_response import MessagingResponse

from app.answers import sms_replies
from app.deps import StateDep, TransactionDep, TxSession
from app.errors import field_error
from app.norway.phone import InvalidPhoneNumber, to_e164
from app.notify.webhooks import FORBIDDEN, signed_params

router = APIRouter(tags=["webhooks"])

INBOUND_PATH = "/v1/webhooks/twilio/inbound"


@router.post(
    INBOUND_PATH,
    summary="Twilio inbound SMS: a staff member's reply",
    description="Called by Twilio with `X-Twilio-Signature` for each SMS to our number. "
    '"OK <code>" takes the alert the code was sent with ("OK <code> <minutes>" also answers '
    "the crew that someone is coming); STOP, START and HELP are recorded as Twilio requires. "
    "The answer is TwiML with a short reply SMS. Each `MessageSid` is handled once: a repeat "
    "(a replay, or Twilio's retry of one already handled) gets empty TwiML and changes nothing; "
    "a request without one is refused (422).",
    responses={
        200: {"content": {"application/xml": {}}, "description": "TwiML with the reply"},
        **FORBIDDEN,
    },
    response_class=Response,
)
async def twilio_inbound(
    request: Request, state: StateDep, session: TxSession, transaction: TransactionDep
) -> Response:
    params = await signed_params(request, state)
    message_sid = params.get("MessageSid", "")
    if not message_sid:  # Twilio names every message; without a name it cannot be handled once
        raise field_error("MessageSid", "required: the id of the message, as Twilio sends it")
    sender = params.get("From", "")
    # A short code or an alphanumeric sender stays as it is: it matches no one.
    with contextlib.suppress(InvalidPhoneNumber):
        sender = to_e164(sender)
    reply = await sms_replies.handle_reply(
        session,
        message_sid=message_sid,
        from_number=sender,
        body=params.get("Body", ""),
        now=state.clock.now(),
        link_lifetime=timedelta(hours=state.settings.links.expiry_hours),
        cipher=state.cipher,
        public_base_url=state.settings.http.public_base_url,
    )
    transaction.after_commit(partial(state.worker.wake, side_lane=True))
    twiml = MessagingResponse()
    if reply:
        twiml.message(reply)
    return Response(content=str(twiml), media_type="application/xml")
