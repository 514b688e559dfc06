"""The one place that turns any error raised while answering an API request into a problem
response (`app.problems`), so every error has the same shape.

Domain errors keep their status and slug; request validation becomes `validation-error` (or
`unsupported-media-type` for a body not sent as JSON); Starlette's HTTP errors `http-<status>`;
a database that cannot be reached `service-unavailable` (503, Retry-After); anything else
`internal-error`. Messages never echo what was sent: personal data stays out of answers.
"""

from __future__ import annotations

import logging
from email.message import Message
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import DomainError, is_database_unavailable
from app.middleware import request_id_headers
from app.paths import public_path
from app.problems import RETRY_AFTER_SECONDS, RETRY_IS_SAFE, field_path, problem_response

log = logging.getLogger(__name__)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    # Database and network errors are answered by Starlette's ExceptionMiddleware, so the
    # connection stays open for requests queued behind; anything else is a 500 from
    # ServerErrorMiddleware, which closes it.
    for error_type in (sa_exc.SQLAlchemyError, OSError, asyncpg.PostgresError):
        app.add_exception_handler(error_type, on_unexpected)
    app.add_exception_handler(Exception, on_unexpected)


async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = exc.headers
    if headers is None and exc.status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return problem_response(
        status=exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        instance=public_path(request.scope),
        headers=headers,
        **exc.extra,
    )


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw = list(exc.errors())
    if _not_json_body(request, raw):
        return unsupported_media_type(request)
    errors = [{"field": field_path(e.get("loc", ())), "reason": _validation_reason(e)} for e in raw]
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
    return problem_response(
        status=422,
        slug="validation-error",
        title="The request is not valid",
        detail=detail,
        instance=public_path(request.scope),
        errors=errors,
    )


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem_response(
        status=exc.status_code,
        slug=f"http-{exc.status_code}",
        title=str(exc.detail),
        detail=None,
        instance=public_path(request.scope),
        headers=dict(exc.headers) if exc.headers else None,
    )


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    if is_database_unavailable(exc):
        log.warning("database unavailable", extra={"error_type": type(exc).__name__})
        return problem_response(
            status=503,
            slug="service-unavailable",
            title="Service unavailable",
            detail="The database could not be reached; the request may not have been "
            f"completed. Retry in {RETRY_AFTER_SECONDS} seconds. {RETRY_IS_SAFE}",
            instance=public_path(request.scope),
            headers={"Retry-After": str(RETRY_AFTER_SECONDS), **request_id_headers()},
        )
    log.error("unhandled error", extra={"error_type": type(exc).__name__})
    return problem_response(
        status=500,
        slug="internal-error",
        title="Internal error",
        detail="The request may or may not have been completed. Retry later. " + RETRY_IS_SAFE,
        instance=public_path(request.scope),
        headers=request_id_headers(),
    )


def unsupported_media_type(request: Request) -> JSONResponse:
    return problem_response(
        status=415,
        slug="unsupported-media-type",
        title="Unsupported media type",
        detail="Send the body as JSON: Content-Type: application/json, in UTF-8.",
        instance=public_path(request.scope),
    )


def _validation_reason(error: dict[str, Any]) -> str:
    # Pydantic messages can echo the input; ours never do, so personal data stays out.
    message = str(error.get("msg", "invalid"))
    return message.removeprefix("Value error, ")


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def _not_json_body(request: Request, errors: list[dict[str, Any]]) -> bool:
    """FastAPI hands a body that was not sent as JSON to the model as bytes."""
    return any(
        tuple(e.get("loc", ())) == ("body",) and e.get("type") != "missing" for e in errors
    ) and not _is_json(request.headers.get("content-type"))
