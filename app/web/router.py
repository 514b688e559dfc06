"""The link pages: `/a/<token>` (GET/HEAD show), `/take`, `/show` and `/answer` (POST).

Every POST answers 303 to the GET (post/redirect/get), so a reload never posts twice.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.answers.rules import Answer, AnswerKind
from app.answers.service import NotTheTaker
from app.auth.links.guard import LinkGuard
from app.auth.links.service import LinkState, token_hash
from app.auth.staff.security import set_cookie, set_new_nonce
from app.deps import Transaction, TransactionDep, TxSession
from app.errors import FieldProblem, InvalidFields
from app.input_guard import has_forbidden_characters
from app.state import AppState
from app.web import service
from app.web.pages import WebState, message_page, render_link_page, web_state
from app.web.security import CSRF_COOKIE, HOLDER_COOKIE, TAKER_COOKIE

router = APIRouter()


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _page(
    request: Request, token: str, session: AsyncSession, web: WebState
) -> service.LinkPage | Response:
    """The link's page, or the answer to give instead (unknown, dead, or too many guesses)."""
    state: AppState = request.app.state.odvarsel
    now = state.clock.now()
    key = token_hash(token)
    holder = web.keys.has(request, HOLDER_COOKIE, web.keys.holder(key))
    guard = LinkGuard(state.counters)
    wait = await guard.wait_seconds(_address(request), now=now, session=session)
    if wait is not None and not holder:
        response = message_page(request, "page.too_many", status=429, seconds=wait)
        response.headers["Retry-After"] = str(wait)
        return response
    page = await service.open_link(session, token=token, now=now)
    if page is None:
        # Nothing to keep; on SQLite this transaction holds the write lock the counter needs.
        await session.rollback()
        await guard.missed(_address(request), now=now)
        return message_page(request, "page.not_found", status=404)
    if page is LinkState.EXPIRED:
        return message_page(request, "page.expired", status=410)
    if isinstance(page, LinkState):
        return message_page(request, "page.revoked", status=403)
    return page


@router.api_route("/{token}", methods=["GET", "HEAD"], include_in_schema=False)
async def show(token: str, request: Request, session: TxSession) -> Response:
    """Shows the alert; never changes it. Personal data only to the taker's browser."""
    web = web_state(request)
    state: AppState = request.app.state.odvarsel
    page = await _page(request, token, session, web)
    if isinstance(page, Response):
        return page
    key = token_hash(token)
    is_taker = web.keys.has(request, TAKER_COOKIE, web.keys.taker(key))
    if request.method == "GET" and page.taken_by_me and is_taker:
        await service.with_details(session, page, now=state.clock.now(), cipher=state.cipher)
    return _with_cookies(request, render_link_page(request, page, token=token), token)


@router.post("/{token}/take", include_in_schema=False)
async def take(
    token: str, request: Request, transaction: TransactionDep, csrf: Annotated[str, Form()] = ""
) -> Response:
    return await _post(token, request, transaction, csrf, action="take")


@router.post("/{token}/show", include_in_schema=False)
async def show_details(
    token: str, request: Request, transaction: TransactionDep, csrf: Annotated[str, Form()] = ""
) -> Response:
    return await _post(token, request, transaction, csrf, action="show")


@router.post("/{token}/answer", include_in_schema=False)
async def answer(
    token: str,
    request: Request,
    transaction: TransactionDep,
    csrf: Annotated[str, Form()] = "",
    choice: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:
    return await _post(token, request, transaction, csrf, action="answer", choice=choice, text=text)


async def _post(
    token: str,
    request: Request,
    transaction: Transaction,
    csrf: str,
    *,
    action: str,
    choice: str = "",
    text: str = "",
) -> Response:
    web = web_state(request)
    state: AppState = request.app.state.odvarsel
    key = token_hash(token)
    if not web.keys.csrf_ok(request, csrf, key):
        return message_page(request, "page.forbidden", status=403)
    error: str | None = None
    session = transaction.session
    page = await _page(request, token, session, web)
    if isinstance(page, Response):
        return page
    now = state.clock.now()
    if action == "take" and not page.taken:
        await service.take(
            session,
            page=page,
            now=now,
            cipher=state.cipher,
            public_base_url=state.settings.http.public_base_url,
        )
    elif action == "answer" and page.taken_by_me:
        try:
            parsed = _answer_of(choice, text)
            await service.answer(session, page=page, answer=parsed, now=now, cipher=state.cipher)
        except InvalidFields as exc:
            error = "; ".join(e["reason"] for e in exc.extra.get("errors", []))
        except NotTheTaker as exc:
            error = exc.detail
    transaction.after_commit(partial(state.worker.wake, side_lane=True))  # SMS, webhooks
    if error is not None:
        return await _answer_refused(request, token, session, error)
    response = RedirectResponse(_path(request, token), status_code=303)
    if action in ("take", "show"):
        max_age = int(timedelta(hours=state.settings.links.expiry_hours).total_seconds())
        set_cookie(
            response, TAKER_COOKIE, web.keys.taker(key), path=_path(request, token), max_age=max_age
        )
    return response


async def _answer_refused(
    request: Request, token: str, session: AsyncSession, error: str
) -> Response:
    """The page again, with the reason the answer was not sent (nothing was stored)."""
    web = web_state(request)
    state: AppState = request.app.state.odvarsel
    page = await _page(request, token, session, web)
    if isinstance(page, Response):
        return page
    if web.keys.has(request, TAKER_COOKIE, web.keys.taker(token_hash(token))):
        await service.with_details(session, page, now=state.clock.now(), cipher=state.cipher)
    response = render_link_page(request, page, token=token, error=error, status=422)
    return _with_cookies(request, response, token)


def _answer_of(choice: str, text: str) -> Answer:
    """The form's choice: "coming:20", "bring_to:<place>", "cannot_come:<when>", "free_text"."""
    kind_name, _, value = choice.partition(":")
    if has_forbidden_characters(value) or has_forbidden_characters(text):
        raise InvalidFields([FieldProblem(field="text", reason="control characters")])
    try:
        kind = AnswerKind(kind_name)
    except ValueError:
        raise InvalidFields([FieldProblem(field="choice", reason="choose an answer")]) from None
    if kind is AnswerKind.COMING:
        ascii_number = value.isascii() and value.isdigit() and len(value) < 4
        return Answer(kind, minutes=int(value) if ascii_number else -1)
    if kind is AnswerKind.BRING_TO:
        return Answer(kind, place=value)
    if kind is AnswerKind.CANNOT_COME:
        return Answer(kind, follow_up=value)
    return Answer(kind, text=text)


def _path(request: Request, token: str) -> str:
    return f"{request.scope.get('root_path', '')}/{token}"


def _with_cookies(request: Request, response: Response, token: str) -> Response:
    """The CSRF nonce (kept if the browser has one) and the holder cookie of this link."""
    web = web_state(request)
    state: AppState = request.app.state.odvarsel
    max_age = int(timedelta(hours=state.settings.links.expiry_hours).total_seconds())
    path = _path(request, token)
    set_new_nonce(request, response, CSRF_COOKIE, path=path, max_age=max_age)
    holder = web.keys.holder(token_hash(token))
    set_cookie(response, HOLDER_COOKIE, holder, path=path, max_age=max_age)
    return response
