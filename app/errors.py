"""Domain errors and their mapping to RFC 9457 problem details (application/problem+json).

Services raise :class:`DomainError` subclasses; the handlers here are the only place that
turns any error into an HTTP response, so every error has the same shape.
"""

from __future__ import annotations

import logging
import re
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://odvarsel.no/problems/"

log = logging.getLogger(__name__)


class FieldProblem(BaseModel):
    field: str = Field(description="Dotted path of the field in the request, e.g. `person.name`.")
    reason: str = Field(description="Why the field was refused.")


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str = Field(examples=[PROBLEM_TYPE_BASE + "validation-error"])
    title: str = Field(examples=["The request is not valid"])
    status: int = Field(examples=[422])
    detail: str | None = Field(default=None, examples=["municipality: must be 4 digits"])
    instance: str | None = Field(default=None, examples=["/v1/alerts"])
    errors: list[FieldProblem] | None = None
    error: str | None = Field(
        default=None, description="OAuth 2.0 error code (RFC 6749 §5.2), on the token endpoint."
    )


class DomainError(Exception):
    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        self.extra = extra


class NotFound(DomainError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(DomainError):
    status, slug, title = 409, "conflict", "Conflict"


class Forbidden(DomainError):
    status, slug, title = 403, "forbidden", "Forbidden"


class Unauthorized(DomainError):
    status, slug, title = 401, "unauthorized", "Not authenticated"


class Unprocessable(DomainError):
    status, slug, title = 422, "unprocessable", "The request cannot be processed"


def field_error(field: str, reason: str) -> Unprocessable:
    """A 422 shaped like a validation error, so clients handle both alike."""
    return Unprocessable(f"{field}: {reason}", errors=[{"field": field, "reason": reason}])


def problem_response(
    *,
    status: int,
    slug: str,
    title: str,
    detail: str | None,
    instance: str | None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
WITHHELD_NAME = "<withheld>"


def field_path(loc: tuple[int | str, ...] | list[int | str]) -> str:
    """Dotted path of a field. An unknown key that is no identifier is not repeated: senders
    have put values (a name, a number) where a key belongs, and messages never echo values."""
    parts = [
        str(p) if isinstance(p, int) or _FIELD_NAME.fullmatch(p) else WITHHELD_NAME
        for p in loc
        if p not in ("body", "query", "path", "header", "form")
    ]
    return ".".join(parts) or "body"


def _validation_reason(error: dict[str, Any]) -> str:
    # Pydantic messages can echo the input; ours never do, so personal data stays out.
    message = str(error.get("msg", "invalid"))
    return message.removeprefix("Value error, ")


def install_error_handlers(app: FastAPI) -> None:
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
            instance=request.url.path,
            headers=headers,
            **exc.extra,
        )

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"field": field_path(e.get("loc", ())), "reason": _validation_reason(e)}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
        return problem_response(
            status=422,
            slug="validation-error",
            title="The request is not valid",
            detail=detail,
            instance=request.url.path,
            errors=errors,
        )

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return problem_response(
            status=exc.status_code,
            slug=f"http-{exc.status_code}",
            title=str(exc.detail),
            detail=None,
            instance=request.url.path,
            headers=dict(exc.headers) if exc.headers else None,
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", extra={"error_type": type(exc).__name__})
        return problem_response(
            status=500,
            slug="internal-error",
            title="Internal error",
            detail="The request was not processed. Retry later; nothing was stored.",
            instance=request.url.path,
        )

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
