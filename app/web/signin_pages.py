"""What the staff's sign-in pages (app/web/signin.py, under `/a/s/`) and the reporters'
(app/web/form_signin.py, under `/skjema/s/`) share: pages that set the CSRF nonce cookie,
the message page, asking for a link by SMS within the limits (app.auth.staff.limits), and
the redirects that set and clear the session cookie. A `SignInPages` holds what differs
between the two: the cookies' names, where the sign-in form is and the nonce cookie's path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.staff.runtime import runtime_of
from app.auth.staff.security import (
    CsrfKeys,
    clear_cookie,
    csrf_nonce,
    session_cookie_path,
    set_cookie,
    set_new_nonce,
)
from app.config.sections import StaffAuthSettings
from app.deps import StateDep, TransactionDep, TxSession, client_address
from app.i18n import language_of, words
from app.norway.phone import InvalidPhoneNumber, to_norwegian_mobile
from app.web.pages import templates

NONCE_MAX_AGE = 60 * 60


class RequestLink(Protocol):
    """A kind's `request_link` (staff or reporters): writes the SMS if the number is known."""

    async def __call__(
        self,
        session: AsyncSession,
        *,
        mobile: str,
        now: datetime,
        settings: StaffAuthSettings,
        public_base_url: str,
    ) -> bool: ...


@dataclass(frozen=True)
class SignInPages:
    session_cookie: str
    csrf_cookie: str
    signin_url: Callable[[Request], str]
    """The sign-in form's path (within the sub-app's root path)."""
    nonce_path: Callable[[Request], str]
    """The CSRF nonce cookie's path."""
    sent_flag: str
    """The form's query flag (`?<flag>=1`) saying a link was asked for."""
    signed_out_flag: str
    """The form's query flag (`?<flag>=1`) saying the visitor signed out."""

    def render(
        self, request: Request, template: str, language: str, *, status: int = 200, **values: Any
    ) -> HTMLResponse:
        """A page, setting the CSRF nonce cookie if the browser has none."""
        language = language_of(language)
        response = templates[language].TemplateResponse(
            request, template, {"lang": language, **values}, status_code=status
        )
        path = self.nonce_path(request)
        set_new_nonce(request, response, self.csrf_cookie, path=path, max_age=NONCE_MAX_AGE)
        return response

    def signin_form(
        self,
        request: Request,
        template: str,
        language: str,
        *,
        settings: StaffAuthSettings,
        keys: CsrfKeys,
        purpose: str,
        **values: Any,
    ) -> HTMLResponse:
        """The empty sign-in form, its CSRF token for `purpose`, saying what the flags say."""
        return self.render(
            request,
            template,
            language,
            oidc=settings.mode == "oidc",
            sent=request.query_params.get(self.sent_flag) == "1",
            signed_out=request.query_params.get(self.signed_out_flag) == "1",
            minutes=settings.link_minutes,
            csrf=keys.csrf_token(csrf_nonce(request, self.csrf_cookie), purpose),
            action=self.signin_url(request),
            mobile="",
            error=None,
            **values,
        )

    def signin_message(
        self,
        request: Request,
        key: str,
        *,
        status: int,
        language: str = "nb",
        again: bool = False,
        **values: Any,
    ) -> HTMLResponse:
        """The message page of `key` (with a way back to the sign-in form if `again`)."""
        heading, text = words(language).heading_and_text(key, **values)
        response = self.render(
            request,
            "signin_message.html",
            language,
            status=status,
            heading=heading,
            text=text,
            again=self.signin_url(request) if again else None,
        )
        if "seconds" in values:
            response.headers["Retry-After"] = str(values["seconds"])
        return response

    async def send_link(
        self,
        request: Request,
        state: StateDep,
        session: TxSession,
        transaction: TransactionDep,
        *,
        request_link: RequestLink,
        mobile: str,
        csrf: str,
        form: tuple[str, str],
        sent_query: str,
    ) -> Response:
        """Sends a link to `mobile` (PRG: 303 to the form with `sent_query`, whether or not
        the number is known), or the `form` (template, language) again with the error."""
        settings = state.settings.staff
        template, language = form
        try:
            number = to_norwegian_mobile(mobile.strip())
        except InvalidPhoneNumber:
            return self.render(
                request,
                template,
                language,
                status=422,
                minutes=settings.link_minutes,
                csrf=csrf,
                action=self.signin_url(request),
                mobile=mobile,
                error=words(language).gettext("invalid_mobile"),
            )
        now = state.clock.now()
        wait = await runtime_of(state).guard.admit_sms(
            mobile=number, address=client_address(request), now=now
        )
        if wait is not None:
            return self.signin_message(
                request, "too_many", language=language, status=429, seconds=wait
            )
        sent = await request_link(
            session,
            mobile=number,
            now=now,
            settings=settings,
            public_base_url=state.settings.http.public_base_url,
        )
        if sent:
            transaction.after_commit(state.worker.wake)  # the SMS is due
        return RedirectResponse(self.signin_url(request) + sent_query, status_code=303)

    def signed_in(
        self, request: Request, to: str, *, token: str, expires_at: datetime, now: datetime
    ) -> Response:
        """303 to `to`, setting the session cookie until the session expires."""
        response = RedirectResponse(to, status_code=303)
        set_cookie(
            response,
            self.session_cookie,
            token,
            path=session_cookie_path(request),
            max_age=max(1, int((expires_at - now).total_seconds())),
        )
        return response

    def signed_out(self, request: Request) -> Response:
        """303 to the sign-in form saying so, clearing the session cookie."""
        to = f"{self.signin_url(request)}?{self.signed_out_flag}=1"
        response = RedirectResponse(to, status_code=303)
        clear_cookie(response, self.session_cookie, path=session_cookie_path(request))
        return response
