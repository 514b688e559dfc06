"""`odvarsel sms-reply`: a staff member's SMS reply, tried without Twilio.

Under `make run` SMS go to the console and Twilio cannot post replies (the inbound webhook
refuses every unsigned post). This command hands a reply to the same service the webhook
calls (`sms_replies.handle_reply`), as if the member's phone had sent it, and prints what the
service would answer by SMS. Only with the console backend outside production: with Twilio,
replies come from phones.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

import typer

from app.answers import sms_replies
from app.auth.commands import run_in_transaction
from app.clock import SystemClock
from app.config import get_settings
from app.norway.phone import InvalidPhoneNumber, to_e164
from app.privacy.keys import build_cipher


def sms_reply(
    body: Annotated[str, typer.Argument(help="The SMS text, e.g. 'OK 4821' or 'OK 4821 20'")],
    sender: Annotated[str, typer.Option("--from", help="The member's mobile, e.g. +4790000001")],
) -> None:
    """Simulate an SMS reply from a member's phone (development, console SMS backend).

    The reply is handled as Twilio's inbound webhook handles one: "OK <code>" takes the alert
    the code was sent with. Prints the service's answer SMS; the worker sends the rest.
    """
    settings = get_settings()
    if settings.environment == "production" or settings.sms.backend != "console":
        typer.echo("error: sms-reply is for development with SMS__BACKEND=console", err=True)
        raise typer.Exit(1)
    try:
        number = to_e164(sender)
    except InvalidPhoneNumber:
        typer.echo("error: --from: not a valid phone number", err=True)
        raise typer.Exit(1) from None
    now = SystemClock().now()
    answer = run_in_transaction(
        lambda session: sms_replies.handle_reply(
            session,
            message_sid=f"SMcli{uuid.uuid4().hex}",
            from_number=number,
            body=body,
            now=now,
            link_lifetime=timedelta(hours=settings.links.expiry_hours),
            cipher=build_cipher(settings),
            public_base_url=settings.http.public_base_url,
        )
    )
    typer.echo(answer if answer else "(no answer SMS)")
