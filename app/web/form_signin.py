"""The reporters' sign-in pages, under `/skjema/s/` (the form's sub-app, app/web/form_app.py),
as the staff's (app/web/signin.py) and with the same limits (app.auth.staff.limits):

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

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.auth import jwks
from app.auth.staff import oidc
from app.auth.staff.rules import LinkState
from app.auth.staff.runtime import runtime_of
from app.auth.staff.security import (
    clear_cookie,
    csrf_nonce,
    pages_root,
    set_cookie,
    set_new_nonce,
)
from app.deps import SessionDep, StateDep, TransactionDep, TxSession, client_address
from app.i18n import language_of, words
from app.norway.phone import InvalidPhoneNumber, to_norwegian_mobile
from app.once import first_use
from app.reporters import signin
from app.web.form_session import CSRF_COOKIE, SESSION_COOKIE, Keys, OptionalReporter
from app.web.pages import templates

router = APIRouter(prefix="/s", include_in_schema=False)

SIGNIN_PURPOSE = "reporter-signin"
ID_TOKEN_PURPOSE = "reporter-oidc-id-token"
"""The `app.once` purpose of ID tokens used by reporters: each signs in once."""
NONCE_MAX_AGE = 60 * 60


def signin_url(request: Request) -> str:
    return f"{pages_root(request)}/s/logg-inn"


def cookie_path(request: Request) -> str:
    return pages_root(request) or "/"


def render(
    request: Request, template: str, language: str, *, status: int = 200, **values: Any
) -> HTMLResponse:
    """A page of the form's sub-app, setting the CSRF nonce cookie if the browser has none."""
    language = language_of(language)
    response = templates[language].TemplateResponse(
        request, template, {"lang": language, **values}, status_code=status
    )
    set_new_nonce(request, response, CSRF_COOKIE, path=cookie_path(request), max_age=NONCE_MAX_AGE)
    return response


def message(
    request: Request, key: str, *, status: int, again: bool = False, **values: Any
) -> HTMLResponse:
    heading, text = words("nb").heading_and_text(key, **values)
    response = render(
        request,
        "signin_message.html",
        "nb",
        status=status,
        heading=heading,
        text=text,
        again=signin_url(request) if again else None,
    )
    if "seconds" in values:
        response.headers["Retry-After"] = str(values["seconds"])
    return response


def _signed_in(request: Request, started: signin.SignedIn, state: StateDep) -> Response:
    response = RedirectResponse(f"{pages_root(request)}/", status_code=303)
    lifetime = started.identity.expires_at - state.clock.now()
    set_cookie(
        response,
        SESSION_COOKIE,
        started.token,
        path=cookie_path(request),
        max_age=max(1, int(lifetime.total_seconds())),
    )
    return response


@router.api_route("/logg-inn", methods=["GET", "HEAD"])
async def signin_form(request: Request, state: StateDep, keys: Keys) -> Response:
    settings = state.settings.staff
    return render(
        request,
        "form_signin.html",
        "nb",
        oidc=settings.mode == "oidc",
        sent=request.query_params.get("sendt") == "1",
        signed_out=request.query_params.get("utlogget") == "1",
        minutes=settings.link_minutes,
        csrf=keys.csrf_token(csrf_nonce(request, CSRF_COOKIE), SIGNIN_PURPOSE),
        action=signin_url(request),
        oidc_action=f"{pages_root(request)}/s/oidc",
        mobile="",
        error=None,
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
        return message(request, "forbidden", status=403)
    try:
        number = to_norwegian_mobile(mobile.strip())
    except InvalidPhoneNumber:
        return render(
            request,
            "form_signin.html",
            "nb",
            status=422,
            minutes=settings.link_minutes,
            csrf=csrf,
            action=signin_url(request),
            mobile=mobile,
            error=words("nb").gettext("invalid_mobile"),
        )
    now = state.clock.now()
    wait = await runtime_of(state).guard.admit_sms(
        mobile=number, address=client_address(request), now=now
    )
    if wait is not None:
        return message(request, "too_many", status=429, seconds=wait)
    sent = await signin.request_link(
        session,
        mobile=number,
        now=now,
        settings=settings,
        public_base_url=state.settings.http.public_base_url,
    )
    if sent:
        transaction.after_commit(state.worker.wake)  # the SMS is due
    return RedirectResponse(signin_url(request) + "?sendt=1", status_code=303)


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
            return message(request, "forbidden", status=403)
        await signin.sign_out(session, session_id=reporter.session_id, now=state.clock.now())
    response = RedirectResponse(signin_url(request) + "?utlogget=1", status_code=303)
    clear_cookie(response, SESSION_COOKIE, path=cookie_path(request))
    return response


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
        return message(request, "page.not_found", status=404)
    if not keys.csrf_ok(request, csrf, SIGNIN_PURPOSE):
        return message(request, "forbidden", status=403)
    assert settings.oidc_issuer is not None and settings.oidc_audience is not None
    now = state.clock.now()
    guard = runtime_of(state).guard
    wait = await guard.wait_after_misses(client_address(request), now=now)
    if wait is not None:
        return message(request, "too_many", status=429, seconds=wait)
    try:
        claims = await jwks.verify_token(
            id_token,
            source=runtime.key_set,
            issuer=settings.oidc_issuer,
            audience=settings.oidc_audience,
            now=now,
        )
        identifier = oidc.identifier_of(
            claims, claim=settings.oidc_claim, match=settings.oidc_match
        )
    except jwks.KeysUnavailable:
        return message(request, "link.no_member", status=403)
    except jwks.OidcRefused:
        await guard.missed(client_address(request), now=now)
        return message(request, "link.no_member", status=403)
    async with session.begin():
        first = await first_use(
            session,
            purpose=ID_TOKEN_PURPOSE,
            key=oidc.replay_key(claims, token=id_token),
            until=oidc.remember_until(claims),
            now=now,
        )
        started = None
        if first:
            started = await signin.sign_in_by_claim(
                session, identifier=identifier, now=now, settings=settings
            )
    if started is None:
        return message(request, "link.no_member", status=403)
    return _signed_in(request, started, state)


@router.api_route("/{token}", methods=["GET", "HEAD"])
async def confirm_page(
    token: str, request: Request, state: StateDep, session: SessionDep, keys: Keys
) -> Response:
    """Shows the sign-in button; never signs anyone in."""
    now = state.clock.now()
    wait = await runtime_of(state).guard.wait_after_misses(client_address(request), now=now)
    if wait is not None:
        return message(request, "too_many", status=429, seconds=wait)
    async with session.begin():
        opened = await signin.open_link(session, token=token, now=now)
    if opened is None:
        await runtime_of(state).guard.missed(client_address(request), now=now)
        return message(request, "link.unknown", status=404, again=True)
    if opened[1] is not LinkState.VALID:
        key = "link.used" if opened[1] is LinkState.USED else "link.expired"
        return message(request, key, status=410, again=True)
    return render(
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
        return message(request, "forbidden", status=403)
    now = state.clock.now()
    async with session.begin():
        used = await signin.use_link(session, token=token, now=now, settings=state.settings.staff)
    if isinstance(used, signin.SignedIn):
        return _signed_in(request, used, state)
    if used is None:
        await runtime_of(state).guard.missed(client_address(request), now=now)
        return message(request, "link.unknown", status=404, again=True)
    key = "link.used" if used is LinkState.USED else "link.expired"
    return message(request, key, status=410, again=True)
