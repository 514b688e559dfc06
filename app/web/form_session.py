"""Who is signed in on the form's pages (`/skjema`, app/web/form_app.py), and their CSRF.

* `odv_reporter`: the reporter's session token (app/reporters/signin.py). Secure, HttpOnly,
  SameSite=Strict, scoped to `/skjema`: the browser never sends it to the staff pages (`/a`),
  and the staff cookie never comes here. Neither session is the other's kind: the staff
  pages and API resolve only staff sessions.
* CSRF before sign-in (the sign-in form, a link's confirm button): a nonce in the cookie
  `odv_reporter_csrf` and an HMAC of nonce and purpose in the form, as the staff pages do;
  a signed-in form carries an HMAC of the session id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.auth.staff.security import CsrfKeys
from app.deps import StateDep
from app.reporters import signin
from app.reporters.signin import ReporterIdentity

SESSION_COOKIE = "odv_reporter"
CSRF_COOKIE = "odv_reporter_csrf"


class FormKeys(CsrfKeys):
    """The form pages' HMAC keys, with their own salt: a staff page's token is no good here."""

    def __init__(self, secret: str) -> None:
        super().__init__(secret, salt=b"odvarsel-reporter-pages", cookie=CSRF_COOKIE)


def form_keys(request: Request) -> FormKeys:
    keys: FormKeys = request.app.state.form_keys
    return keys


async def optional_reporter(request: Request, state: StateDep) -> ReporterIdentity | None:
    """The signed-in reporter, or None (no cookie, or a dead session)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    async with state.sessions() as session, session.begin():
        return await signin.resolve_session(session, token=token, now=state.clock.now())


OptionalReporter = Annotated[ReporterIdentity | None, Depends(optional_reporter)]
Keys = Annotated[FormKeys, Depends(form_keys)]
