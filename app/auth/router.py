"""POST /v1/oauth/token: OAuth 2.0 client credentials grant (RFC 6749 §4.4)."""

from __future__ import annotations

import base64
from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Form, Header, Request, Response

from app.auth import service
from app.auth.deps import TOKEN_URL
from app.auth.errors import FormExpected, OAuthError, invalid_client
from app.auth.schemas import TokenResponse
from app.deps import SessionDep, StateDep, client_address
from app.errors import field_error
from app.input_guard import TEXT_REASON, has_forbidden_characters
from app.problems import Problem

router = APIRouter(tags=["auth"])


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except ValueError as exc:  # not base64 (binascii.Error), non-ASCII text, or not UTF-8
        raise invalid_client() from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise invalid_client()
    client_id, secret = unquote(client_id), unquote(secret)
    # The input guard checks the form's fields, not this header: PostgreSQL cannot take a NUL.
    if has_forbidden_characters(client_id) or has_forbidden_characters(secret):
        raise field_error("Authorization", f"the client id or secret {TEXT_REASON}")
    return client_id, secret


FORM = "application/x-www-form-urlencoded"


def form_body(content_type: Annotated[str | None, Header(include_in_schema=False)] = None) -> None:
    """A body in another type (JSON, usually) is refused before its fields are looked for, so
    the caller learns to send a form instead of reading that `grant_type` is missing. Runs
    before the form fields are validated (FastAPI solves dependencies first)."""
    media_type = (content_type or "").partition(";")[0].strip().lower()
    if media_type and media_type != FORM:
        raise FormExpected(
            f"The token endpoint reads a form: send the fields with Content-Type: {FORM} "
            "(RFC 6749 §4.4.2), not JSON."
        )


@router.post(
    TOKEN_URL,
    dependencies=[Depends(form_body)],
    response_model=TokenResponse,
    summary="Get an access token",
    description="Client credentials grant. Send `client_id` and `client_secret` as form fields "
    "or with HTTP Basic authentication (RFC 6749 §2.3.1).",
    responses={
        400: {"model": Problem, "description": "Unsupported grant type or scope"},
        401: {"model": Problem, "description": "Unknown client or wrong secret"},
        429: {
            "model": Problem,
            "description": "Too many failed attempts for the client id or from this address; "
            "retry after `Retry-After` seconds (successful requests are not counted)",
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        },
    },
)
async def token(
    request: Request,
    response: Response,
    state: StateDep,
    session: SessionDep,
    grant_type: Annotated[str, Form(examples=["client_credentials"])],
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form(examples=["alerts:write"])] = None,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> TokenResponse:
    basic = _basic_credentials(authorization)
    if basic:
        client_id, client_secret = basic
    if not client_id or not client_secret:
        raise OAuthError("invalid_client", "client_id and client_secret are required.", status=401)
    response.headers["Cache-Control"] = "no-store"
    now = state.clock.now()
    address = client_address(request)
    await service.admit_attempt(
        state.token_guard, grant_type=grant_type, client_id=client_id, address=address, now=now
    )
    # A short transaction of its own, not `TxSession`: no connection is held while the secret
    # is checked (a deliberately slow hash), and nothing is written.
    async with session.begin():
        stored = await service.stored_client(session, client_id=client_id)
    return await service.issue_token(
        stored,
        guard=state.token_guard,
        codec=state.tokens,
        client_id=client_id,
        client_secret=client_secret,
        requested_scope=scope,
        address=address,
        now=now,
    )
