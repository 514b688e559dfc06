"""Queries on municipalities, teams and members."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.roster.models import Member, Municipality, Team


async def get_municipality(session: AsyncSession, code: str) -> Municipality | None:
    return await session.get(Municipality, code)


def add_municipality(session: AsyncSession, municipality: Municipality) -> None:
    session.add(municipality)


async def list_municipalities(
    session: AsyncSession, *, codes: Collection[str] | None = None
) -> Sequence[Municipality]:
    """Municipalities by code; only those in `codes` unless it is None."""
    query = select(Municipality).order_by(col(Municipality.code))
    if codes is not None:
        query = query.where(col(Municipality.code).in_(list(codes)))
    return (await session.execute(query)).scalars().all()


async def get_team(session: AsyncSession, team_id: uuid.UUID) -> Team | None:
    return await session.get(Team, team_id)


async def list_teams(
    session: AsyncSession,
    *,
    municipality_code: str | None = None,
    codes: Collection[str] | None = None,
) -> Sequence[Team]:
    """Teams of one municipality, or of all; only those in `codes` unless it is None."""
    query = select(Team).order_by(col(Team.municipality_code), col(Team.name))
    if municipality_code is not None:
        query = query.where(col(Team.municipality_code) == municipality_code)
    if codes is not None:
        query = query.where(col(Team.municipality_code).in_(list(codes)))
    return (await session.execute(query)).scalars().all()


async def get_team_by_name(
    session: AsyncSession, *, municipality_code: str, name: str
) -> Team | None:
    result = await session.execute(
        select(Team).where(col(Team.municipality_code) == municipality_code, col(Team.name) == name)
    )
    return result.scalar_one_or_none()


async def alert_team(session: AsyncSession, *, municipality_code: str) -> Team | None:
    """The team that receives the municipality's alerts."""
    result = await session.execute(
        select(Team).where(
            col(Team.municipality_code) == municipality_code, col(Team.receives_alerts)
        )
    )
    return result.scalar_one_or_none()


async def save_team(session: AsyncSession, team: Team) -> bool:
    """Add or update a team; False if a unique rule (name, alert receiver) refused it.

    In a savepoint, so a refusal leaves the surrounding transaction usable.
    """
    try:
        async with session.begin_nested():
            session.add(team)
    except IntegrityError:
        return False
    return True


async def get_member(session: AsyncSession, member_id: uuid.UUID) -> Member | None:
    return await session.get(Member, member_id)


def add_member(session: AsyncSession, member: Member) -> None:
    session.add(member)


async def list_members(
    session: AsyncSession, *, team_id: uuid.UUID, include_inactive: bool = False
) -> Sequence[Member]:
    query = select(Member).where(col(Member.team_id) == team_id)
    if not include_inactive:
        query = query.where(col(Member.active))
    return (await session.execute(query.order_by(col(Member.name), col(Member.id)))).scalars().all()


async def members_with_mobile(session: AsyncSession, mobile: str) -> list[Member]:
    """Every member (active or not) with this E.164 number; one person may be in two teams."""
    statement = select(Member).where(col(Member.mobile) == mobile).order_by(col(Member.created_at))
    return list((await session.execute(statement)).scalars())


async def members_by_ids(session: AsyncSession, member_ids: Sequence[uuid.UUID]) -> list[Member]:
    if not member_ids:
        return []
    statement = select(Member).where(col(Member.id).in_(set(member_ids)))
    return list((await session.execute(statement)).scalars())
