"""What the service modules share: a 422 naming one field, and the client's municipalities.

Another client's municipality is answered as an unknown one: in a path a 404, in a request
body a 422 naming the field.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.municipalities import ActingFor
from app.drug_warnings import repository
from app.errors import FieldProblem, InvalidFields, NotFound


def refuse(field: str, reason: str) -> InvalidFields:
    """A 422 naming `field` (raise it)."""
    return InvalidFields([FieldProblem(field=field, reason=reason)])


async def municipality_name(session: AsyncSession, code: str, municipalities: ActingFor) -> str:
    """The municipality's name; another client's municipality 404s, as an unknown code."""
    names = await repository.served(session, [code]) if code in municipalities else {}
    if code not in names:
        raise NotFound(f"No municipality {code} among yours.")
    return names[code]


async def own_municipality_name(
    session: AsyncSession, code: str, municipalities: ActingFor, *, field: str = "municipality"
) -> str:
    """As `municipality_name`, for a code in a request body: a 422 naming the field."""
    names = await repository.served(session, [code]) if code in municipalities else {}
    if code not in names:
        raise refuse(field, "not one of this client's municipalities")
    return names[code]
