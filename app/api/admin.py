"""What every admin router shares: the prefix, the `admin` scope and the documented answers."""

from __future__ import annotations

from typing import Any

from fastapi import Security

from app.auth.scopes import Scope
from app.deps import current_client
from app.problems import Problem

PREFIX = "/v1/admin"
REQUIRE_ADMIN = [Security(current_client, scopes=[Scope.ADMIN])]
"""Administration of the client's own municipalities' teams, rosters and policies."""
REQUIRE_ADMIN_MUNICIPALITIES = [Security(current_client, scopes=[Scope.ADMIN_MUNICIPALITIES])]
"""Adding municipalities: the operator's global scope."""

AUTH_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No valid access token"},
    403: {"model": Problem, "description": "The token lacks the `admin` scope"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {
        "model": Problem,
        "description": "No such team, member or entry in your municipalities (another "
        "municipality's get the same answer)",
    }
}
INVALID: dict[int | str, dict[str, Any]] = {
    422: {
        "model": Problem,
        "description": "Validation error: the fields and the reasons (`errors`)",
    }
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": Problem, "description": "Conflicts with what is stored"}
}
