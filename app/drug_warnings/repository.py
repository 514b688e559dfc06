"""What the queries of every concern share: which municipalities odvarsel serves, by name, and
the page of a list (`Page`, `one_page`)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.i18n import Language, language_of
from app.roster.models import Municipality

S = TypeVar("S", bound=Select[*tuple[Any, ...]])


async def served(session: AsyncSession, codes: Collection[str]) -> dict[str, str]:
    """The names of those of `codes` that odvarsel serves, by code."""
    if not codes:
        return {}
    statement = select(Municipality).where(col(Municipality.code).in_(list(codes)))
    return {m.code: m.name for m in (await session.execute(statement)).scalars()}


@dataclass(frozen=True, slots=True)
class Page:
    """What a list of signals, warnings or concern reports shows: those of `municipalities`,
    newest first, `limit` of them from `offset`."""

    municipalities: list[str]
    offset: int = 0
    limit: int = 50


class Listed(Protocol):
    """A table whose rows are listed by the page: each row is of a municipality."""

    id: uuid.UUID
    municipality_code: str


def one_page(statement: S, page: Page, table: type[Listed], *, newest: Any) -> S:
    """The page of the statement's rows of `table`: those of the page's municipalities, newest
    first by the column `newest`, then by id, so that pages never overlap."""
    return (
        statement.where(col(table.municipality_code).in_(page.municipalities))
        .order_by(col(newest).desc(), col(table.id))
        .offset(page.offset)
        .limit(page.limit)
    )


async def written_standards(session: AsyncSession, codes: Collection[str]) -> dict[str, Language]:
    """The written standard (bokmål or nynorsk) of those of `codes` that odvarsel serves, by
    code: the language of their warnings' SMS."""
    if not codes:
        return {}
    statement = select(Municipality).where(col(Municipality.code).in_(list(codes)))
    rows = (await session.execute(statement)).scalars()
    return {m.code: language_of(m.written_standard) for m in rows}
