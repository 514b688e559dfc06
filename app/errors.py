"""Domain errors and their mapping to RFC 9457 problem details (application/problem+json).

Services raise :class:`DomainError` subclasses; the handlers here are the only place that
turns any error into an HTTP response, so every error has the same shape.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from email.message import Message
from typing import Any, ClassVar

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.paths import public_path

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://odvarsel.no/problems/"
RETRY_AFTER_SECONDS = 5
"""What a 503 asks the sender to wait before retrying."""

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProblemType:
    slug: str
    statuses: tuple[int, ...]
    title: str
    meaning: str
    action: str

    @property
    def uri(self) -> str:
        return PROBLEM_TYPE_BASE + self.slug


_RETRY_IS_SAFE = (
    "A retry of POST /v1/alerts with the same dispatch incident id is safe: an alert that was "
    "stored is answered again (200), never stored twice."
)

PROBLEM_TYPES: tuple[ProblemType, ...] = (
    ProblemType(
        "validation-error",
        (422,),
        "The request is not valid",
        "A required field, parameter or form field is missing or invalid (a duplicate JSON key, "
        "an impossible time, a control character); `errors` lists each field and the reason. "
        "On POST /v1/alerts the alert was NOT stored.",
        "Correct the fields named in `errors` and send again; for an alert, phone the "
        "municipality if it cannot be corrected at once.",
    ),
    ProblemType(
        "malformed-json",
        (422,),
        "The body is not readable JSON",
        "The body is not JSON, not UTF-8, or has a syntax error at `line` and `column`. "
        "Nothing was stored.",
        "Send the body as one JSON object in UTF-8 with `Content-Type: application/json`.",
    ),
    ProblemType(
        "unsupported-media-type",
        (415,),
        "Unsupported media type",
        "The body was sent with a content type the operation does not read. Nothing was stored.",
        "Send `Content-Type: application/json` in UTF-8 (`text/calendar` for the rota "
        "import, `application/x-www-form-urlencoded` for the token endpoint).",
    ),
    ProblemType(
        "alert-not-delivered",
        (403, 422),
        "The alert was NOT delivered",
        "The alert was readable, but odvarsel will not page anyone for it: the municipality "
        "is not served or has no receiving team (422), or this client may not report for it "
        "(403). Nothing was stored.",
        "Notify the municipality by phone. Retrying does not help.",
    ),
    ProblemType(
        "conflict",
        (409,),
        "Conflict",
        "The dispatch incident id was already used by this client with other content; "
        "`alert_id` names the alert stored first and `supplements` where to add to it. (A "
        "supplement id used with other content; admin operations: the name or state "
        "conflicts with what is stored.)",
        "To add to or correct the alert, POST a supplement to `supplements`; for a new alert "
        "send a new dispatch incident id.",
    ),
    ProblemType(
        "body-too-large",
        (413,),
        "Request body too large",
        "The body is larger than the service accepts (HTTP__MAX_BODY_BYTES). Nothing was stored.",
        "Leave out long free text and send again.",
    ),
    ProblemType(
        "unauthorized",
        (401,),
        "Not authenticated",
        "No access token, or one that is expired, forged or for another audience.",
        "Get a token at POST /v1/oauth/token and send it as `Authorization: Bearer <token>`.",
    ),
    ProblemType(
        "forbidden",
        (403,),
        "Forbidden",
        "The token lacks the scope, or the client is not bound to the municipality.",
        "Ask the operator for the scope or municipality; do not retry.",
    ),
    ProblemType(
        "oauth-error",
        (400, 401),
        "The token request was refused",
        "An OAuth 2.0 error (RFC 6749 §5.2), named in `error`: unknown client or wrong "
        "secret (401), unsupported grant type or scope (400).",
        "Check the client credentials, `grant_type=client_credentials` and the scope.",
    ),
    ProblemType(
        "too-many-requests",
        (429,),
        "Too many requests",
        "Too many failed token requests for this client id or from this address.",
        "Wait `Retry-After` seconds and check the client credentials before trying again.",
    ),
    ProblemType(
        "not-found",
        (404,),
        "Not found",
        "No such resource for this client.",
        "Check the id; an alert is only visible to the client that posted it.",
    ),
    ProblemType(
        "unprocessable",
        (422,),
        "The request cannot be processed",
        "The request is well-formed but contradicts what is stored or another parameter.",
        "Read `detail`, correct the request and send again.",
    ),
    ProblemType(
        "http-400",
        (400,),
        "Bad request",
        "A form or multipart body could not be parsed.",
        "Send the form as `application/x-www-form-urlencoded` in UTF-8.",
    ),
    ProblemType("http-404", (404,), "Not Found", "No operation at this path.", "Check the URL."),
    ProblemType(
        "http-405",
        (405,),
        "Method Not Allowed",
        "The path exists, but not with this method; `Allow` lists the methods.",
        "Use one of the methods in `Allow`.",
    ),
    ProblemType(
        "service-unavailable",
        (503,),
        "Service unavailable",
        "The database could not be reached. The request may not have been completed. "
        + _RETRY_IS_SAFE,
        "Retry after `Retry-After` seconds; for an alert, phone the municipality if retries "
        "keep failing.",
    ),
    ProblemType(
        "internal-error",
        (500,),
        "Internal error",
        "An unexpected error. The request may or may not have been completed. " + _RETRY_IS_SAFE,
        "Retry later; for an alert, phone the municipality if retries keep failing.",
    ),
    ProblemType(
        "not-ready",
        (503,),
        "Not ready",
        "GET /readyz: this instance cannot reach its database, or no worker has completed a "
        "round lately (alerts would be stored but not paged); `title` says which.",
        "Send traffic to another instance until it is ready.",
    ),
)
"""Every problem `type` the API answers, what it means, and what the sender should do."""


def problem_types_markdown() -> str:
    """The problem types as a Markdown table, for the OpenAPI description and the README."""
    rows = [
        "| type | status | meaning | what to do |",
        "|---|---|---|---|",
        *(
            f"| `{t.slug}` | {', '.join(map(str, t.statuses))} | {t.meaning} | {t.action} |"
            for t in PROBLEM_TYPES
        ),
    ]
    return "\n".join(rows)


class FieldProblem(BaseModel):
    field: str = Field(description="Dotted path of the field in the request, e.g. `person.name`.")
    reason: str = Field(description="Why the field was refused.")


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str = Field(
        examples=[PROBLEM_TYPE_BASE + "validation-error"],
        description="One of the problem types listed in the API description, e.g. "
        "`validation-error` (the request is invalid) or `alert-not-delivered` (valid, but "
        "nobody will be paged: phone the municipality).",
    )
    title: str = Field(examples=["The request is not valid"])
    status: int = Field(examples=[422])
    detail: str | None = Field(default=None, examples=["municipality: must be 4 digits"])
    instance: str | None = Field(default=None, examples=["/v1/alerts"])
    errors: list[FieldProblem] | None = None
    error: str | None = Field(
        default=None, description="OAuth 2.0 error code (RFC 6749 §5.2), on the token endpoint."
    )
    alert_id: str | None = Field(
        default=None,
        description="On a 409 from POST /v1/alerts: the alert already stored under this "
        "dispatch incident id.",
        examples=["0b9f6a52-8a3c-4a7e-9d51-2f0c2b4e7d10"],
    )
    supplements: str | None = Field(
        default=None,
        description="On a 409 from POST /v1/alerts: where to POST a supplement to that alert.",
        examples=["/v1/alerts/0b9f6a52-8a3c-4a7e-9d51-2f0c2b4e7d10/supplements"],
    )
    version: int | None = Field(
        default=None,
        description="On a 409 from POST /v1/alerts/{alert_id}/supplements: the version the "
        "supplement id made.",
    )
    line: int | None = Field(
        default=None, description="`malformed-json`: the line of the syntax error (from 1)."
    )
    column: int | None = Field(
        default=None, description="`malformed-json`: the column of the syntax error (from 1)."
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


class InvalidFields(DomainError):
    """Fields refused after schema validation (a rule that needs the clock or settings)."""

    status, slug, title = 422, "validation-error", "The request is not valid"

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(
            "; ".join(f"{p.field}: {p.reason}" for p in problems),
            errors=[p.model_dump() for p in problems],
        )


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


_UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, unreachable; also ConnectionError
    asyncio.TimeoutError,
    sa_exc.TimeoutError,  # the pool had no connection in time
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
)


def is_database_unavailable(exc: BaseException) -> bool:
    """A failure to reach the database (as opposed to a fault in a statement)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, _UNAVAILABLE_ERRORS):
            return True
        current = current.__cause__ or current.__context__
    return False


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


def unsupported_media_type(request: Request) -> JSONResponse:
    return problem_response(
        status=415,
        slug="unsupported-media-type",
        title="Unsupported media type",
        detail="Send the body as JSON: Content-Type: application/json, in UTF-8.",
        instance=public_path(request.scope),
    )


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
            instance=public_path(request.scope),
            headers=headers,
            **exc.extra,
        )

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        raw = list(exc.errors())
        if _not_json_body(request, raw):
            return unsupported_media_type(request)
        errors = [
            {"field": field_path(e.get("loc", ())), "reason": _validation_reason(e)} for e in raw
        ]
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
                f"completed. Retry in {RETRY_AFTER_SECONDS} seconds. {_RETRY_IS_SAFE}",
                instance=public_path(request.scope),
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        log.error("unhandled error", extra={"error_type": type(exc).__name__})
        return problem_response(
            status=500,
            slug="internal-error",
            title="Internal error",
            detail="The request may or may not have been completed. Retry later. " + _RETRY_IS_SAFE,
            instance=public_path(request.scope),
        )

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    # Database and network errors are answered by Starlette's ExceptionMiddleware, so the
    # connection stays open for requests queued behind; anything else is a 500 from
    # ServerErrorMiddleware, which closes it.
    for error_type in (sa_exc.SQLAlchemyError, OSError, asyncpg.PostgresError):
        app.add_exception_handler(error_type, on_unexpected)
    app.add_exception_handler(Exception, on_unexpected)
