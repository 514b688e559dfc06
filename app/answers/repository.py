"""Queries on answer options and answers."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.answers.models import AlertAnswer, AnswerOptionsRow


async def get_options(session: AsyncSession, *, municipality_code: str) -> AnswerOptionsRow | None:
    return await session.get(AnswerOptionsRow, municipality_code)


async def save_options(session: AsyncSession, row: AnswerOptionsRow) -> None:
    await session.merge(row)


def add_answer(session: AsyncSession, answer: AlertAnswer) -> None:
    session.add(answer)
