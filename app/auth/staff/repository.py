"""Queries of staff sign-in: links, sessions, and the members who may sign in.

Members, teams and municipalities are read through a small read model of the roster's tables
(`sa.table`, no import of `app.roster`): the roster already depends on `app.auth` (deactivating
a member revokes their alert links), so importing it back would make a package cycle. The
columns named here are checked against the roster's tables by the tests.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.staff.models import StaffSession, StaffSignInLink
from app.dbtypes import UTCDateTime
from app.i18n import spoken

member_table = sa.table(
    "member",
    sa.column("id", sa.Uuid()),
    sa.column("team_id", sa.Uuid()),
    sa.column("name", sa.String()),
    sa.column("mobile", sa.String()),
    sa.column("email", sa.String()),
    sa.column("role", sa.String()),
    sa.column("language", sa.String()),
    sa.column("active", sa.Boolean()),
    sa.column("sms_opted_out_at", UTCDateTime()),
    sa.column("created_at", UTCDateTime()),
)
team_table = sa.table(
    "team",
    sa.column("id", sa.Uuid()),
    sa.column("name", sa.String()),
    sa.column("municipality_code", sa.String()),
    sa.column("leader_member_id", sa.Uuid()),
)
municipality_table = sa.table(
    "municipality",
    sa.column("code", sa.String()),
    sa.column("name", sa.String()),
    sa.column("written_standard", sa.String()),
)


@dataclass(frozen=True)
class StaffMember:
    """An active member as sign-in sees them, with their team and municipality."""

    member_id: uuid.UUID
    name: str
    role: str
    language: str
    """The language of their SMS and pages: their own choice, else the municipality's
    written standard (`app.i18n.spoken`)."""
    sms_opted_out: bool
    team_id: uuid.UUID
    team_name: str
    municipality_code: str
    municipality_name: str
    is_leader: bool


_m, _t, _k = member_table.c, team_table.c, municipality_table.c
_MEMBER_COLUMNS = (
    _m.id,
    _m.name,
    _m.role,
    _m.language,
    _m.sms_opted_out_at,
    _t.id.label("team_id"),
    _t.name.label("team_name"),
    _t.municipality_code,
    _k.name.label("municipality_name"),
    _k.written_standard,
    _t.leader_member_id,
)
_JOINED = member_table.join(team_table, _t.id == _m.team_id).join(
    municipality_table, _k.code == _t.municipality_code
)


def _member_of(row: Any) -> StaffMember:
    return StaffMember(
        member_id=row.id,
        name=row.name,
        role=row.role,
        language=spoken(row.language, row.written_standard),
        sms_opted_out=row.sms_opted_out_at is not None,
        team_id=row.team_id,
        team_name=row.team_name,
        municipality_code=row.municipality_code,
        municipality_name=row.municipality_name,
        is_leader=row.leader_member_id == row.id,
    )


async def active_members(
    session: AsyncSession, *, mobile: str | None = None, email: str | None = None
) -> list[StaffMember]:
    """Active members with this mobile (E.164) or email (lower case), oldest first."""
    condition = _m.mobile == mobile if mobile is not None else _m.email == email
    statement = (
        sa.select(*_MEMBER_COLUMNS)
        .select_from(_JOINED)
        .where(condition, _m.active.is_(sa.true()))
        .order_by(_m.created_at, _m.id)
    )
    return [_member_of(row) for row in (await session.execute(statement)).all()]


def add_link(session: AsyncSession, link: StaffSignInLink) -> None:
    session.add(link)


async def set_link_session(
    session: AsyncSession, *, link_id: uuid.UUID, session_id: uuid.UUID
) -> None:
    await session.execute(
        sa.update(StaffSignInLink)
        .where(col(StaffSignInLink.id) == link_id)
        .values(session_id=session_id)
        .execution_options(synchronize_session=False)
    )


def add_session(session: AsyncSession, row: StaffSession) -> None:
    session.add(row)


async def session_with_member(
    session: AsyncSession, token_hash: str
) -> tuple[StaffSession, StaffMember] | None:
    """The session with this token hash and its member, if the member is still active."""
    statement = (
        sa.select(StaffSession, *_MEMBER_COLUMNS)
        .join(_JOINED, _m.id == col(StaffSession.member_id))
        .where(col(StaffSession.token_hash) == token_hash, _m.active.is_(sa.true()))
    )
    row = (await session.execute(statement)).first()
    if row is None:
        return None
    return row[0], _member_of(row)
