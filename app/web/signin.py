"""The sign-in pages, served inside the web sub-app under `/a/s/` (wired in `app.main`), so
they share its security headers (`app.web.security.SecurityHeaders`: strict CSP, no
referrer, no caching, no framing), its HTML error pages, its static files and its templates
(`signin*.html`, extending `base.html`). Sign-in itself (links, sessions, OIDC) is
`app.auth.staff`; these pages only show it.

* `GET /a/s/signin`: the form for the mobile number; `POST` sends the link (PRG: 303 back to
  the form saying "check your SMS", the same whether or not the number is known).
* `GET /a/s/<token>`: the link from the SMS. It only shows a confirm button (one per team when
  the number is on several): link scanners and previews that open links sign nobody in.
  `POST` uses the link, sets the session cookie and answers 303 to the member's cases
  (`/a/cases`, with the leader's overview and the concern report one tap away; issue 21).
* `GET /a/s/me`: who is signed in, the way to the cases and the concern report, and the
  sign-out button (`POST /a/s/signout`); the cases page links here.

Pages never raise domain errors (the web sub-app would answer 500): every refusal is a page.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.staff import service, tokens
from app.auth.staff.deps import OptionalStaff
from app.auth.staff.rules import LinkState
from app.auth.staff.runtime import runtime_of
from app.auth.staff.security import CSRF_COOKIE, SESSION_COOKIE, csrf_nonce, pages_root
from app.deps import SessionDep, StateDep, TransactionDep, TxSession, client_address
from app.i18n import language_of, moment
from app.web.signin_pages import SignInPages

router = APIRouter(prefix=f"/{tokens.PAGES_PREFIX}", include_in_schema=False)

SIGNIN_FORM_PURPOSE = "signin"


def signin_url(request: Request) -> str:
    """Where a page sends a visitor without a session (within the web sub-app)."""
    return f"{pages_root(request)}/{tokens.PAGES_PREFIX}/signin"


def cases_url(request: Request) -> str:
    """Where a member lands after signing in: their cases (app.web.cases)."""
    return f"{pages_root(request)}/cases"


def _pages_path(request: Request) -> str:
    return f"{pages_root(request)}/{tokens.PAGES_PREFIX}"


PAGES = SignInPages(
    session_cookie=SESSION_COOKIE,
    csrf_cookie=CSRF_COOKIE,
    signin_url=signin_url,
    nonce_path=_pages_path,
    sent_flag="sent",
    signed_out_flag="signed_out",
)


def _language(request: Request) -> str:
    """Before anyone is known: bokmål, or `?lang=nn` / `?lang=en`."""
    return language_of(request.query_params.get("lang"))


@router.api_route("/signin", methods=["GET", "HEAD"])
async def signin_form(request: Request, state: StateDep) -> Response:
    return PAGES.signin_form(
        request,
        "signin.html",
        _language(request),
        settings=state.settings.staff,
        keys=runtime_of(state).keys,
        purpose=SIGNIN_FORM_PURPOSE,
    )


@router.post("/signin")
async def send_link(
    request: Request,
    state: StateDep,
    session: TxSession,
    transaction: TransactionDep,
    csrf: Annotated[str, Form()] = "",
    mobile: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    settings = state.settings.staff
    language = _language(request)
    runtime = runtime_of(state)
    if settings.mode != "sms_link":
        return PAGES.render(request, "signin.html", language, status=403, oidc=True)
    if not runtime.keys.csrf_ok(request, csrf, SIGNIN_FORM_PURPOSE):
        return PAGES.signin_message(request, "forbidden", language=language, status=403)
    query = "?sent=1" + ("" if language == "nb" else f"&lang={language}")
    return await PAGES.send_link(
        request,
        state,
        session,
        transaction,
        request_link=service.request_link,
        mobile=mobile,
        csrf=csrf,
        form=("signin.html", language),
        sent_query=query,
    )


@router.api_route("/me", methods=["GET", "HEAD"])
async def me_page(request: Request, state: StateDep, staff: OptionalStaff) -> Response:
    if staff is None:
        return RedirectResponse(signin_url(request), status_code=303)
    until = moment(staff.expires_at, staff.language)
    return PAGES.render(
        request,
        "signin_me.html",
        staff.language,
        staff=staff,
        until=until,
        csrf=runtime_of(state).keys.session_csrf(staff.session_id),
        signout=f"{pages_root(request)}/{tokens.PAGES_PREFIX}/signout",
        root=pages_root(request),
    )


@router.post("/signout")
async def sign_out(
    request: Request,
    state: StateDep,
    session: TxSession,
    staff: OptionalStaff,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    if staff is not None:
        if not runtime_of(state).keys.session_csrf_ok(staff.session_id, csrf):
            return PAGES.signin_message(request, "forbidden", language=staff.language, status=403)
        await service.sign_out(session, session_id=staff.session_id, now=state.clock.now())
    return PAGES.signed_out(request)


async def _opened(
    request: Request, state: StateDep, session: SessionDep, token: str
) -> service.OpenedLink | Response:
    """The link, valid and with members to sign in as; or the page to answer instead.
    In a transaction of its own, not `TxSession`: `confirm` then uses the link in a second
    one whose refusal is answered with a page, so it must roll back inside the endpoint."""
    runtime = runtime_of(state)
    now = state.clock.now()
    wait = await runtime.guard.wait_after_misses(client_address(request), now=now)
    if wait is not None:
        return PAGES.signin_message(request, "too_many", language="nb", status=429, seconds=wait)
    if state.settings.staff.mode != "sms_link":
        return PAGES.render(request, "signin.html", "nb", status=404, oidc=True)
    async with session.begin():
        opened = await service.open_link(session, token=token, now=now)
    if opened is None:
        await runtime.guard.missed(client_address(request), now=now)
        return PAGES.signin_message(request, "link.unknown", language="nb", status=404, again=True)
    language = opened.members[0].language if opened.members else "nb"
    if opened.state is LinkState.USED:
        return PAGES.signin_message(request, "link.used", language=language, status=410, again=True)
    if opened.state is LinkState.EXPIRED:
        return PAGES.signin_message(
            request, "link.expired", language=language, status=410, again=True
        )
    if not opened.members:
        return PAGES.signin_message(request, "link.no_member", language=language, status=403)
    return opened


def _confirm_page(
    request: Request, state: StateDep, opened: service.OpenedLink, token: str, *, status: int
) -> Response:
    keys = runtime_of(state).keys
    return PAGES.render(
        request,
        "signin_confirm.html",
        opened.members[0].language,
        status=status,
        members=opened.members,
        csrf=keys.csrf_token(csrf_nonce(request, CSRF_COOKIE), tokens.token_hash(token)),
        action=f"{pages_root(request)}/{tokens.PAGES_PREFIX}/{token}",
    )


@router.api_route("/{token}", methods=["GET", "HEAD"])
async def confirm_page(
    token: str, request: Request, state: StateDep, session: SessionDep
) -> Response:
    """Shows the confirm button; never signs anyone in."""
    opened = await _opened(request, state, session, token)
    if isinstance(opened, Response):
        return opened
    return _confirm_page(request, state, opened, token, status=200)


@router.post("/{token}")
async def confirm(
    token: str,
    request: Request,
    state: StateDep,
    session: SessionDep,
    csrf: Annotated[str, Form()] = "",
    team_id: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    runtime = runtime_of(state)
    if not runtime.keys.csrf_ok(request, csrf, tokens.token_hash(token)):
        return PAGES.signin_message(request, "forbidden", language="nb", status=403)
    opened = await _opened(request, state, session, token)
    if isinstance(opened, Response):
        return opened
    try:
        chosen = uuid.UUID(team_id) if team_id else None
    except ValueError:
        chosen = None
    now = state.clock.now()
    try:
        async with session.begin():
            signed_in = await service.use_opened(
                session, opened=opened, team_id=chosen, now=now, settings=state.settings.staff
            )
    except service.SignInRefused as exc:
        if exc.refusal is service.Refusal.CHOOSE_TEAM:
            return _confirm_page(request, state, opened, token, status=409)
        key = {
            service.Refusal.USED: "link.used",
            service.Refusal.EXPIRED: "link.expired",
            service.Refusal.NO_MEMBER: "link.no_member",
        }.get(exc.refusal, "link.unknown")
        return PAGES.signin_message(
            request, key, language=opened.members[0].language, status=410, again=True
        )
    return PAGES.signed_in(
        request,
        cases_url(request),
        token=signed_in.token,
        expires_at=signed_in.identity.expires_at,
        now=now,
    )
