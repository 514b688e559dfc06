"""The documented error answers routers share, for the OpenAPI document.

Each is a `responses=` dict for FastAPI, which merges a router's (`AUTH_PROBLEMS`) with a
route's; `problem` writes one more, for answers a router describes in its own words.
"""

from __future__ import annotations

from typing import Any

from app.problems import Problem

Responses = dict[int | str, dict[str, Any]]


def problem(status: int, description: str) -> Responses:
    """A problem+json answer with `status`, described."""
    return {status: {"model": Problem, "description": description}}


AUTH_PROBLEMS: Responses = {
    **problem(401, "No valid access token"),
    **problem(403, "The token lacks the `admin` scope"),
}
"""An admin router's: no token, or one without the `admin` scope."""
NOT_FOUND = problem(
    404,
    "No such team, member or entry in your municipalities (another municipality's get the "
    "same answer)",
)
INVALID = problem(422, "Validation error: the fields and the reasons (`errors`)")
CONFLICT = problem(409, "Conflicts with what is stored")
