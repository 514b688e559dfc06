"""What the service modules share: what a use case acts with (`WarningScope`), a 422 naming
one field, the client's municipalities, and who files a concern report or drafts a warning
(`Filer`).

Another client's municipality is answered as an unknown one: in a request body a 422 naming
the field (in a path a 404, by the settings documents' `app.roster.teams.owners`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.municipalities import ActingFor
from app.drug_warnings import repository
from app.drug_warnings.schemas import ActingStaff
from app.errors import FieldProblem, InvalidFields
from app.privacy.crypto import FieldCipher


@dataclass(frozen=True, slots=True)
class WarningScope:
    """What filing, drafting, approving, reviewing or dismissing acts with: the caller's
    transaction, the municipalities acted for (another's are answered as unknown ones), the
    time, and the cipher that opens an alert's names for the check of a warning's text."""

    session: AsyncSession
    municipalities: frozenset[str]
    now: datetime
    cipher: FieldCipher


def refuse(field: str, reason: str) -> InvalidFields:
    """A 422 naming `field` (raise it)."""
    return InvalidFields([FieldProblem(field=field, reason=reason)])


async def own_municipality_name(
    session: AsyncSession, code: str, municipalities: ActingFor, *, field: str = "municipality"
) -> str:
    """The name of a municipality a request body names; a 422 naming the field when it is not
    served or not one the client acts for (the same answer for both)."""
    names = await repository.served(session, [code]) if code in municipalities else {}
    if code not in names:
        raise refuse(field, "not one of this client's municipalities")
    return names[code]


@dataclass(frozen=True)
class Filer:
    """Who files a concern report or drafts a warning: an API client (a partner, or the case
    system) or a signed-in staff member (the API with a session token, or the staff pages)."""

    client_id: str | None = None
    member_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if (self.client_id is None) == (self.member_id is None):
            raise ValueError("a filer is a client or a staff member")


def label_of(by: ActingStaff | None) -> str:
    """The name and role recorded for who acts; a 422 naming `by` when nobody was named (a
    case system must say whom it acts for; the routers fill it in for staff)."""
    if by is None:
        raise refuse("by", "who acts: the name and role of the person the case system acts for")
    return by.label()
