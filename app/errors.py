"""The errors services raise, and which failures mean the database cannot be reached.

Services raise :class:`DomainError` subclasses (status, problem slug, title, detail); the API
answers them as problem details in one place (`app.api.error_handlers`, `app.problems`),
the staff pages as HTML pages in their words. Nothing here knows HTTP beyond the status.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import asyncpg
from pydantic import BaseModel, Field
from sqlalchemy import exc as sa_exc


class FieldProblem(BaseModel):
    field: str = Field(description="Dotted path of the field in the request, e.g. `person.name`.")
    reason: str = Field(description="Why the field was refused.")


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
