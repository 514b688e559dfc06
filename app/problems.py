"""RFC 9457 problem details (application/problem+json): the problem types the API answers,
the `Problem` body the OpenAPI document describes, and the one function that builds a response.

`app.api.error_handlers` turns errors into these responses; the few places that answer before
routing (`app.middleware`, `app.input_guard`, `app.health`) call `problem_response` themselves.
A module at the bottom beside `app.errors`, not in `app.api`: every domain's router names
`Problem` in its responses, and `app.api`'s admin kit imports `app.auth`, whose routers would
then import it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.errors import FieldProblem

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://odvarsel.no/problems/"
RETRY_AFTER_SECONDS = 5
"""What a 503 asks the sender to wait before retrying."""


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


RETRY_IS_SAFE = (
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
        + RETRY_IS_SAFE,
        "Retry after `Retry-After` seconds; for an alert, phone the municipality if retries "
        "keep failing.",
    ),
    ProblemType(
        "internal-error",
        (500,),
        "Internal error",
        "An unexpected error. The request may or may not have been completed. " + RETRY_IS_SAFE,
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
