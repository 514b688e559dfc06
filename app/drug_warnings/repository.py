"""What the queries of every concern share: which municipalities odvarsel serves, by name, and
the order and page of a list."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar

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


async def written_standards(session: AsyncSession, codes: Collection[str]) -> dict[str, Language]:
    """The written standard (bokmål or nynorsk) of those of `codes` that odvarsel serves, by
    code: the language of their warnings' SMS."""
    if not codes:
        return {}
    statement = select(Municipality).where(col(Municipality.code).in_(list(codes)))
    rows = (await session.execute(statement)).scalars()
    return {m.code: language_of(m.written_standard) for m in rows}


def newest_first(statement: S, newest: Any, ident: Any, *, offset: int, limit: int) -> S:
    """One page of a list: newest first by the column `newest`, then by `ident`, so that pages
    never overlap."""
    return statement.order_by(col(newest).desc(), col(ident)).offset(offset).limit(limit)
