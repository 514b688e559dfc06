"""What every admin router shares: the prefix and the `admin` scope (the documented answers
are in `app.api.responses`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Security

from app.auth.deps import current_client
from app.auth.scopes import Scope

PREFIX = "/v1/admin"
REQUIRE_ADMIN = [Security(current_client, scopes=[Scope.ADMIN])]
"""Administration of the client's own municipalities' teams, rosters and policies."""
REQUIRE_ADMIN_MUNICIPALITIES = [Security(current_client, scopes=[Scope.ADMIN_MUNICIPALITIES])]
"""Adding municipalities: the operator's global scope."""

MunicipalityCode = Annotated[
    str, Path(pattern=r"^\d{4}$", description="Kommunenummer", examples=["3107"])
]
"""The `{code}` of an admin path: a municipality's kommunenummer (four digits)."""
