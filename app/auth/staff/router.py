"""The staff sign-in API: `/v1/staff/signin/sms|link|oidc`, `/v1/staff/me`, `/v1/staff/signout`.

The phone pages (`app.web.signin`) use the same services; this API is for apps and integrations
that hold the session as a bearer token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import jwks
from app.auth.errors import TooManyAttempts
from app.auth.staff import oidc, service
from app.auth.staff.deps import CurrentStaff
from app.auth.staff.repository import StaffMember
from app.auth.staff.runtime import runtime_of
from app.auth.staff.schemas import (
    LinkSignInIn,
    OidcSignInIn,
    SignInRequested,
    SmsSignInIn,
    StaffMe,
    StaffSessionOut,
)
from app.deps import StateDep, TransactionDep, TxSession, client_address
from app.errors import Conflict, DomainError, Forbidden, Unauthorized
from app.problems import Problem
from app.state import AppState

router = APIRouter(prefix="/v1/staff", tags=["staff"])


class SignInUnavailable(DomainError):
    """503: the provider's key set cannot be read now."""

    status, slug, title = 503, "service-unavailable", "Service unavailable"


_TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {
        "model": Problem,
        "description": "Too many sign-in attempts for this number or from this address; retry "
        "after `Retry-After` seconds",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    }
}
_UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No live staff session: sign in again"}
}
_SESSION_REFUSALS: dict[int | str, dict[str, Any]] = {
    403: {
        "model": Problem,
        "description": "This sign-in method is not the one the service uses, or no active "
        "staff member matches",
    },
    409: {
        "model": Problem,
        "description": "Members of several teams match: send `team_id`, one of `teams`",
    },
    **_TOO_MANY,
}


def _refused(exc: service.SignInRefused) -> DomainError:
    if exc.refusal is service.Refusal.CHOOSE_TEAM:
        return Conflict(
            "Members of several teams have this number or name: send team_id, one of teams.",
            teams=[_team(m) for m in exc.members],
        )
    if exc.refusal is service.Refusal.NO_MEMBER:
        return Forbidden("No active staff member matches: ask the team's leader.")
    reasons = {
        service.Refusal.USED: "The sign-in link was already used: ask for a new one.",
        service.Refusal.EXPIRED: "The sign-in link has expired: ask for a new one.",
    }
    return Unauthorized(reasons.get(exc.refusal, "Unknown sign-in link."))


def _team(member: StaffMember) -> dict[str, str]:
    return {
        "team_id": str(member.team_id),
        "team_name": member.team_name,
        "municipality": member.municipality_code,
    }


async def _check_misses(state: AppState, request: Request) -> None:
    wait = await runtime_of(state).guard.wait_after_misses(
        client_address(request), now=state.clock.now()
    )
    if wait is not None:
        raise TooManyAttempts(
            "Too many refused sign-in attempts from this address.",
            headers={"Retry-After": str(wait)},
        )


async def _missed(
    state: AppState, request: Request, session: AsyncSession, *, now: datetime
) -> None:
    """Count a refused link or token against the address. The refused sign-in keeps nothing:
    its transaction ends first (on SQLite it holds the write lock the counter needs)."""
    await session.rollback()
    await runtime_of(state).guard.missed(client_address(request), now=now)


def _session_out(response: Response, signed_in: service.SignedIn) -> StaffSessionOut:
    response.headers["Cache-Control"] = "no-store"
    return StaffSessionOut(
        session_token=signed_in.token,
        expires_at=signed_in.identity.expires_at,
        staff=StaffMe.of(signed_in.identity),
    )


@router.post(
    "/signin/sms",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SignInRequested,
    summary="Ask for a sign-in link by SMS",
    description="Sends a one-time sign-in link by SMS to the number if it belongs to an "
    "active staff member. The answer is the same whether or not it does. The link works "
    "for `STAFF__LINK_MINUTES` (15), once: open it on the phone and confirm, or exchange its "
    "token at `POST /v1/staff/signin/link`.",
    responses={
        202: {"description": "Sent if the number is a staff member's (the same answer if not)"},
        403: {"model": Problem, "description": "The service signs staff in through OIDC"},
        **_TOO_MANY,
    },
)
async def request_sms_signin(
    body: SmsSignInIn,
    request: Request,
    state: StateDep,
    session: TxSession,
    transaction: TransactionDep,
) -> SignInRequested:
    settings = state.settings.staff
    if settings.mode != "sms_link":
        raise Forbidden("Staff sign in through the municipality's login (OpenID Connect).")
    now = state.clock.now()
    wait = await runtime_of(state).guard.admit_sms(
        mobile=body.mobile, address=client_address(request), now=now
    )
    if wait is not None:
        raise TooManyAttempts(
            "Too many sign-in links asked for this number or from this address.",
            headers={"Retry-After": str(wait)},
        )
    sent = await service.request_link(
        session,
        mobile=body.mobile,
        now=now,
        settings=settings,
        public_base_url=state.settings.http.public_base_url,
    )
    if sent:
        transaction.after_commit(state.worker.wake)  # the SMS is due
    return SignInRequested(
        detail="If the number belongs to an active staff member, a sign-in link was sent to "
        f"it by SMS. The link works for {settings.link_minutes} minutes, once.",
        link_minutes=settings.link_minutes,
    )


@router.post(
    "/signin/link",
    status_code=status.HTTP_201_CREATED,
    response_model=StaffSessionOut,
    summary="Sign in with the token of an SMS link",
    description="Uses the sign-in link (once) and starts a session whose token is the bearer "
    "token of the staff API.",
    responses={
        201: {"description": "Signed in"},
        401: {"model": Problem, "description": "Unknown, used or expired link"},
        **_SESSION_REFUSALS,
    },
)
async def confirm_sms_signin(
    body: LinkSignInIn, request: Request, response: Response, state: StateDep, session: TxSession
) -> StaffSessionOut:
    if state.settings.staff.mode != "sms_link":
        raise Forbidden("Staff sign in through the municipality's login (OpenID Connect).")
    await _check_misses(state, request)
    now = state.clock.now()
    try:
        signed_in = await service.use_link(
            session,
            token=body.token,
            team_id=body.team_id,
            now=now,
            settings=state.settings.staff,
        )
    except service.SignInRefused as exc:
        if exc.refusal is service.Refusal.UNKNOWN:
            await _missed(state, request, session, now=now)
        raise _refused(exc) from None
    return _session_out(response, signed_in)


@router.post(
    "/signin/oidc",
    status_code=status.HTTP_201_CREATED,
    response_model=StaffSessionOut,
    summary="Sign in with an OpenID Connect ID token",
    description="Checks the provider's ID token (signature by the provider's key set, RS256 "
    "or ES256; issuer; audience; expiry) and starts a session for the active staff member "
    "its `STAFF__OIDC_CLAIM` claim names (`phone_number` as the member's mobile by default). "
    "A token starts one session: used again (the same `jti`, or the same token without one) "
    "it is refused until it expires. A refused sign-in (403, 409) does not use it up.",
    responses={
        201: {"description": "Signed in"},
        401: {"model": Problem, "description": "The token was refused, or already used"},
        **_SESSION_REFUSALS,
        503: {
            "model": Problem,
            "description": "The provider's key set cannot be read now; retry later",
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        },
    },
)
async def oidc_signin(
    body: OidcSignInIn, request: Request, response: Response, state: StateDep, session: TxSession
) -> StaffSessionOut:
    settings = state.settings.staff
    key_set = runtime_of(state).key_set
    if settings.mode != "oidc" or key_set is None:
        raise Forbidden("Staff sign in with a link sent by SMS here, not through OIDC.")
    await _check_misses(state, request)
    now = state.clock.now()
    try:
        claims, identifier = await oidc.verified_identifier(
            body.id_token, key_set=key_set, settings=settings, now=now
        )
        # The key set is read (maybe fetched) before the first statement: no connection waits.
        signed_in = await service.sign_in_by_id_token(
            session,
            token=body.id_token,
            claims=claims,
            identifier=identifier,
            team_id=body.team_id,
            now=now,
            settings=settings,
        )
    except jwks.KeysUnavailable as exc:
        raise SignInUnavailable(str(exc), headers={"Retry-After": "30"}) from None
    except jwks.OidcRefused as exc:
        await _missed(state, request, session, now=now)
        raise Unauthorized(
            f"The ID token was refused: {exc}.",
            headers={"WWW-Authenticate": 'Bearer realm="staff", error="invalid_token"'},
        ) from None
    except service.SignInRefused as exc:
        raise _refused(exc) from None
    return _session_out(response, signed_in)


@router.get(
    "/me",
    response_model=StaffMe,
    summary="Who is signed in",
    responses={200: {"description": "The signed-in staff member"}, **_UNAUTHORIZED},
)
async def get_staff_me(staff: CurrentStaff, response: Response) -> StaffMe:
    response.headers["Cache-Control"] = "no-store"
    return StaffMe.of(staff)


@router.post(
    "/signout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out",
    description="Ends the session: its token is refused from now on.",
    responses={204: {"description": "Signed out"}, **_UNAUTHORIZED},
)
async def staff_signout(staff: CurrentStaff, state: StateDep, session: TxSession) -> Response:
    await service.sign_out(session, session_id=staff.session_id, now=state.clock.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)
