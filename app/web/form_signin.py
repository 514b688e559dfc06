"""The reporters' sign-in pages, under `/skjema/s/` (the form's sub-app, app/web/form_app.py),
as the staff's (app/web/signin.py, sharing its page helpers: app/web/signin_pages.py) and with
the same limits (app.auth.staff.limits):

* `GET /skjema/s/logg-inn`: the mobile number; `POST` sends a link by SMS (PRG: 303 back,
  saying "check your SMS" whether or not the number is a reporter's).
* `GET /skjema/s/<token>`: the link from the SMS shows a button only (a link scanner signs
  nobody in); `POST` uses it, sets the `odv_reporter` cookie and answers 303 to the form.
* `POST /skjema/s/logg-ut`: signs out.

With `STAFF__MODE=oidc` reporters sign in as staff do, with the provider's ID token
(`POST /skjema/s/oidc`, fields `id_token` and the page's `csrf`), matched on the same claim
and used once. As for staff (`POST /v1/staff/signin/oidc`), getting the token from the
provider is the municipality's login integration's; this page only takes it.
Pages never raise domain errors: every refusal is a page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.auth import jwks
from app.auth.staff import oidc, signin_links
from app.auth.staff.rules import LinkState
from app.auth.staff.runtime import runtime_of
from app.auth.staff.security import csrf_nonce, pages_root, session_cookie_path
from app.deps import SessionDep, StateDep, TransactionDep, TxSession, client_address
from app.reporters import signin
from app.reporters.models import ReporterSignInLink
from app.web.form_session import CSRF_COOKIE, SESSION_COOKIE, Keys, OptionalReporter
from app.web.signin_pages import SignInPages

router = APIRouter(prefix="/s", include_in_schema=False)

SIGNIN_PURPOSE = "reporter-signin"
ID_TOKEN_PURPOSE = "reporter-oidc-id-token"
"""The `app.once` purpose of ID tokens used by reporters: each signs in once."""


def signin_url(request: Request) -> str:
    return f"{pages_root(request)}/s/logg-inn"


PAGES = SignInPages(
    session_cookie=SESSION_COOKIE,
    csrf_cookie=CSRF_COOKIE,
    signin_url=signin_url,
    nonce_path=session_cookie_path,
    sent_flag="sendt",
    signed_out_flag="utlogget",
)


def _signed_in(request: Request, started: signin.SignedIn, state: StateDep) -> Response:
    return PAGES.signed_in(
        request,
        f"{pages_root(request)}/",
        token=started.token,
        expires_at=started.identity.expires_at,
        now=state.clock.now(),
    )


@router.api_route("/logg-inn", methods=["GET", "HEAD"])
async def signin_form(request: Request, state: StateDep, keys: Keys) -> Response:
    return PAGES.signin_form(
        request,
        "form_signin.html",
        "nb",
        settings=state.settings.staff,
        keys=keys,
        purpose=SIGNIN_PURPOSE,
        oidc_action=f"{pages_root(request)}/s/oidc",
    )


@router.post("/logg-inn")
async def send_link(
    request: Request,
    state: StateDep,
    session: TxSession,
    transaction: TransactionDep,
    keys: Keys,
    csrf: Annotated[str, Form()] = "",
    mobile: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    settings = state.settings.staff
    if settings.mode != "sms_link" or not keys.csrf_ok(request, csrf, SIGNIN_PURPOSE):
        return PAGES.signin_message(request, "forbidden", status=403)
    return await PAGES.send_link(
        request,
        state,
        session,
        transaction,
        request_link=signin.request_link,
        mobile=mobile,
        csrf=csrf,
        form=("form_signin.html", "nb"),
        sent_query="?sendt=1",
    )


@router.post("/logg-ut")
async def sign_out(
    request: Request,
    state: StateDep,
    session: TxSession,
    keys: Keys,
    reporter: OptionalReporter,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    if reporter is not None:
        if not keys.session_csrf_ok(reporter.session_id, csrf):
            return PAGES.signin_message(request, "forbidden", status=403)
        await signin.sign_out(session, session_id=reporter.session_id, now=state.clock.now())
    return PAGES.signed_out(request)


@router.post("/oidc")
async def oidc_signin(
    request: Request,
    state: StateDep,
    session: SessionDep,
    keys: Keys,
    csrf: Annotated[str, Form()] = "",
    id_token: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    """Signs in with the provider's ID token, verified as the staff's (app.auth.staff.oidc)."""
    settings, runtime = state.settings.staff, runtime_of(state)
    if settings.mode != "oidc" or runtime.key_set is None:
        return PAGES.signin_message(request, "page.not_found", status=404)
    if not keys.csrf_ok(request, csrf, SIGNIN_PURPOSE):
        return PAGES.signin_message(request, "forbidden", status=403)
    now = state.clock.now()
    guard = runtime_of(state).guard
    wait = await guard.wait_after_misses(client_address(request), now=now)
    if wait is not None:
        return PAGES.signin_message(request, "too_many", status=429, seconds=wait)
    try:
        claims, identifier = await oidc.verified_identifier(
            id_token, key_set=runtime.key_set, settings=settings, now=now
        )
    except jwks.KeysUnavailable:
        return PAGES.signin_message(request, "link.no_member", status=403)
    except jwks.OidcRefused:
        await guard.missed(client_address(request), now=now)
        return PAGES.signin_message(request, "link.no_member", status=403)
    async with session.begin():
        first = await oidc.first_sign_in(
            session, purpose=ID_TOKEN_PURPOSE, claims=claims, token=id_token, now=now
        )
        started = None
        if first:
            started = await signin.sign_in_by_claim(
                session, identifier=identifier, now=now, settings=settings
            )
    if started is None:
        return PAGES.signin_message(request, "link.no_member", status=403)
    return _signed_in(request, started, state)


@router.api_route("/{token}", methods=["GET", "HEAD"])
async def confirm_page(
    token: str, request: Request, state: StateDep, session: SessionDep, keys: Keys
) -> Response:
    """Shows the sign-in button; never signs anyone in."""
    now = state.clock.now()
    wait = await runtime_of(state).guard.wait_after_misses(client_address(request), now=now)
    if wait is not None:
        return PAGES.signin_message(request, "too_many", status=429, seconds=wait)
    async with session.begin():
        opened = await signin_links.open_link(session, ReporterSignInLink, token=token, now=now)
    if opened is None:
        await runtime_of(state).guard.missed(client_address(request), now=now)
        return PAGES.signin_message(request, "link.unknown", status=404, again=True)
    if opened[1] is not LinkState.VALID:
        key = "link.used" if opened[1] is LinkState.USED else "link.expired"
        return PAGES.signin_message(request, key, status=410, again=True)
    return PAGES.render(
        request,
        "form_confirm.html",
        "nb",
        csrf=keys.csrf_token(csrf_nonce(request, CSRF_COOKIE), token),
        action=f"{pages_root(request)}/s/{token}",
    )


@router.post("/{token}")
async def confirm(
    token: str,
    request: Request,
    state: StateDep,
    session: SessionDep,
    keys: Keys,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    if not keys.csrf_ok(request, csrf, token):
        return PAGES.signin_message(request, "forbidden", status=403)
    now = state.clock.now()
    async with session.begin():
        used = await signin.use_link(session, token=token, now=now, settings=state.settings.staff)
    if isinstance(used, signin.SignedIn):
        return _signed_in(request, used, state)
    if used is None:
        await runtime_of(state).guard.missed(client_address(request), now=now)
        return PAGES.signin_message(request, "link.unknown", status=404, again=True)
    key = "link.used" if used is LinkState.USED else "link.expired"
    return PAGES.signin_message(request, key, status=410, again=True)
