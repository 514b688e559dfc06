"""The staff dependencies: `CurrentStaff` (401 without a live session) and `OptionalStaff`.

The API (`CurrentStaff`) reads the session token only from `Authorization: Bearer <token>`;
the `odv_staff` cookie counts only on the staff pages (`OptionalStaff`; the browser sends it
only below `/a`), whose forms carry a CSRF field. An API that took the cookie could be driven
by another site's form in a staff member's browser (CSRF), so it answers 401. A session is
alive until it expires (`STAFF__SESSION_HOURS`, by the service clock) or is signed out, and
only while its member is active: deactivating a member ends their sessions at once.

Pages (the web sub-app answers HTML, not problem details) use `OptionalStaff` and send a
visitor without a session to the sign-in page (`app.web.signin`); their forms carry
`session_csrf_token(...)` in a field `csrf`, checked with `session_csrf_ok(...)`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth.staff import service
from app.auth.staff.identity import StaffIdentity
from app.auth.staff.runtime import runtime_of
from app.auth.staff.security import SESSION_COOKIE
from app.deps import StateDep
from app.errors import Unauthorized
from app.state import AppState

__all__ = [
    "CurrentStaff",
    "OptionalStaff",
    "StaffBearer",
    "StaffIdentity",
    "current_staff",
    "optional_staff",
    "session_csrf_ok",
    "session_csrf_token",
]

staff_bearer = HTTPBearer(
    scheme_name="StaffSession",
    description="A staff member's session token (`ods_…`), from `POST /v1/staff/signin/oidc` "
    "or `POST /v1/staff/signin/link`, as `Authorization: Bearer <token>`.",
    auto_error=False,
)

StaffBearer = Annotated[HTTPAuthorizationCredentials | None, Depends(staff_bearer)]
"""The `Authorization: Bearer` credentials, documented as the staff session scheme."""


def _presented(request: Request, bearer: HTTPAuthorizationCredentials | None) -> str | None:
    if bearer is not None:
        return bearer.credentials.strip()
    return request.cookies.get(SESSION_COOKIE) or None


async def optional_staff(
    request: Request, state: StateDep, bearer: StaffBearer
) -> StaffIdentity | None:
    """The signed-in staff member, or None (no token, or a dead one)."""
    token = _presented(request, bearer)
    if token is None:
        return None
    async with state.sessions() as session, session.begin():
        return await service.resolve_session(session, token=token, now=state.clock.now())


async def current_staff(state: StateDep, bearer: StaffBearer) -> StaffIdentity:
    """The member of the bearer token's live session; the pages' cookie does not count here."""
    token = bearer.credentials.strip() if bearer is not None else ""
    if not token:
        raise Unauthorized(
            "Sign in as staff: send the session token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="staff"'},
        )
    async with state.sessions() as session, session.begin():
        identity = await service.resolve_session(session, token=token, now=state.clock.now())
    if identity is None:
        raise Unauthorized(
            "The staff session is unknown, expired or signed out, or its member is no longer "
            "active: sign in again.",
            headers={"WWW-Authenticate": 'Bearer realm="staff", error="invalid_token"'},
        )
    return identity


CurrentStaff = Annotated[StaffIdentity, Depends(current_staff)]
"""The signed-in staff member; 401 (problem details) without a live session."""
OptionalStaff = Annotated[StaffIdentity | None, Depends(optional_staff)]
"""The signed-in staff member or None: for pages, which redirect to sign-in instead."""


def session_csrf_token(state: AppState, identity: StaffIdentity) -> str:
    """The CSRF field of a signed-in page's form."""
    return runtime_of(state).keys.session_csrf(identity.session_id)


def session_csrf_ok(state: AppState, identity: StaffIdentity, form_token: str) -> bool:
    return runtime_of(state).keys.session_csrf_ok(identity.session_id, form_token)
