"""What the escalation engine reads from the roster: who receives, who is on duty, holes.

The engine calls `team_for_municipality`, `get_team`, `get_municipality` and `team_view`; the
decisions are made by the pure modules (`rota.oncall`, `escalation.policy`), this module only
reads rows. It answers in the roster's own types (`DutyView`), so the roster does not depend
on the escalation package; the engine adapts them to its rules. It lives in `rota` (whose
service shows the same views) and reads teams through `roster.teams`, which never imports
`rota`: the sub-packages stay a one-way street.

A deactivated member, or one who replied STOP to our SMS, keeps their place in rotations (so
nobody else's turns move) but is never on duty: their turns, shifts and overrides become
roster holes, which `coverage_gaps` and `odvarsel roster-holes` then report.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound
from app.i18n import Language, language_of
from app.roster.models import Member, Municipality, OverrideRow, RotationRow, ShiftRow, Team
from app.roster.rota import oncall
from app.roster.rota import repository as rota_repository
from app.roster.teams import repository

# Bounds of "always" for taking deactivated members off duty; outside any real window.
_ALWAYS = (datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC))
_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class DutyView:
    """A team at one instant: who is on duty, its active members, its leader (member ids)."""

    on_duty: tuple[str, ...]
    members: tuple[str, ...]
    leader_id: str | None


def reachable(member: Member) -> bool:
    """Active and not opted out of SMS (STOP): only such a member can be on duty."""
    return member.active and member.sms_opted_out_at is None


async def get_team(session: AsyncSession, *, team_id: uuid.UUID) -> Team | None:
    return await repository.get_team(session, team_id)


async def members_by_id(
    session: AsyncSession, member_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Member]:
    """Members (active or not) by id; unknown ids are left out."""
    return {m.id: m for m in await repository.members_by_ids(session, member_ids)}


async def written_standard(session: AsyncSession, code: str) -> Language:
    """The municipality's written standard (bokmål for one not served)."""
    municipality = await repository.get_municipality(session, code)
    return language_of(municipality.written_standard if municipality else None)


async def spoken_by(session: AsyncSession, member: Member) -> Language:
    """The language of the member's SMS and pages: their own choice, else their
    municipality's written standard (`app.i18n.spoken`)."""
    if member.language:
        return language_of(member.language)
    team = await repository.get_team(session, member.team_id)
    return await written_standard(session, team.municipality_code) if team else "nb"


async def members_with_mobile(session: AsyncSession, mobile: str) -> list[Member]:
    return await repository.members_with_mobile(session, mobile)


async def stopped_sms(session: AsyncSession, *, team_id: uuid.UUID) -> list[Member]:
    """Active members of the team who replied STOP (off duty until START)."""
    members = await repository.list_members(session, team_id=team_id, include_inactive=False)
    return [m for m in members if m.sms_opted_out_at is not None]


async def set_sms_opt_out(
    session: AsyncSession, *, mobile: str, opted_out: bool, now: datetime
) -> list[Member]:
    """STOP (or START) from `mobile`: every member with that number; they are off duty (a
    roster hole) until START."""
    members = await repository.members_with_mobile(session, mobile)
    for member in members:
        member.sms_opted_out_at = now if opted_out else None
        session.add(member)
    return members


async def get_municipality(session: AsyncSession, code: str) -> Municipality | None:
    return await repository.get_municipality(session, code)


async def team_for_municipality(session: AsyncSession, *, code: str) -> Team | None:
    """The team that receives the municipality's alerts, if it has one."""
    return await repository.alert_team(session, municipality_code=code)


async def load_roster(
    session: AsyncSession,
    *,
    team_id: uuid.UUID,
    window: tuple[datetime, datetime] | None = None,
) -> oncall.Roster:
    """The team's roster as the pure on-call code reads it.

    With `window` only shifts and overrides overlapping it are loaded (enough to answer for
    instants inside it); rotations are always complete.
    """
    members = await repository.list_members(session, team_id=team_id, include_inactive=True)
    return await _roster(session, team_id=team_id, members=members, window=window)


async def team_view(
    session: AsyncSession, *, team_id: uuid.UUID, at: datetime
) -> tuple[DutyView, dict[str, Member]]:
    """The team at instant `at` for resolving escalation steps, and its active members by id.

    Member ids are UUID strings, as in the pure modules. The leader is left out when not an
    active member. Raises NotFound for an unknown team.
    """
    team = await repository.get_team(session, team_id)
    if team is None:
        raise NotFound(f"No team {team_id}.")
    members = await repository.list_members(session, team_id=team_id, include_inactive=True)
    roster = await _roster(session, team_id=team_id, members=members, window=(at, at + _INSTANT))
    active = {str(m.id): m for m in members if reachable(m)}
    leader = str(team.leader_member_id) if team.leader_member_id else None
    view = DutyView(
        on_duty=tuple(m for m in oncall.on_duty(roster, at) if m in active),
        members=tuple(active),
        leader_id=leader if leader in active else None,
    )
    return view, active


async def roster_holes(
    session: AsyncSession, *, team_id: uuid.UUID, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Maximal intervals in [start, end) when nobody of the team is on duty."""
    roster = await load_roster(session, team_id=team_id, window=(start, end))
    return oncall.coverage_gaps(roster, start, end)


@dataclass(frozen=True)
class TeamHoles:
    """A municipality's team and its holes; `team` None means no team receives its alerts."""

    municipality: Municipality
    team: Team | None
    holes: list[tuple[datetime, datetime]]
    stopped_sms: list[Member] = field(default_factory=list)


async def holes_report(
    session: AsyncSession, *, start: datetime, end: datetime, all_teams: bool = False
) -> list[TeamHoles]:
    """Holes of every team receiving alerts (or of every team), and municipalities whose
    alerts reach no team at all (their whole window is one hole)."""
    teams = await repository.list_teams(session)
    receiving = {t.municipality_code for t in teams if t.receives_alerts}
    report: list[TeamHoles] = []
    for municipality in await repository.list_municipalities(session):
        if municipality.code not in receiving:
            report.append(TeamHoles(municipality, None, [(start, end)]))
        for team in teams:
            if team.municipality_code == municipality.code and (all_teams or team.receives_alerts):
                holes = await roster_holes(session, team_id=team.id, start=start, end=end)
                stopped = await stopped_sms(session, team_id=team.id)
                report.append(TeamHoles(municipality, team, holes, stopped))
    return report


async def _roster(
    session: AsyncSession,
    *,
    team_id: uuid.UUID,
    members: Sequence[Member],
    window: tuple[datetime, datetime] | None,
) -> oncall.Roster:
    start, end = window if window else (None, None)
    rotations = await rota_repository.list_rotations(session, team_id=team_id)
    shifts = await rota_repository.list_overlapping(
        session, ShiftRow, team_id=team_id, start=start, end=end
    )
    overrides = await rota_repository.list_overlapping(
        session, OverrideRow, team_id=team_id, start=start, end=end
    )
    off_duty = [
        oncall.Override(*_ALWAYS, member_id=None, replaces=str(m.id))
        for m in members
        if not reachable(m)
    ]
    return oncall.Roster(
        rotations=tuple(to_rotation(r) for r in rotations),
        shifts=tuple(to_shift(s) for s in shifts),
        overrides=(*(to_override(o) for o in overrides), *off_duty),
    )


def to_rotation(row: RotationRow) -> oncall.Rotation:
    window = (
        (row.window_start, row.window_end)
        if row.window_start is not None and row.window_end is not None
        else None
    )
    return oncall.Rotation(
        members=tuple(row.member_ids), anchor=row.anchor, shift_days=row.shift_days, window=window
    )


def to_shift(row: ShiftRow) -> oncall.Shift:
    return oncall.Shift(str(row.member_id), row.starts_at, row.ends_at)


def to_override(row: OverrideRow) -> oncall.Override:
    return oncall.Override(
        row.starts_at,
        row.ends_at,
        member_id=str(row.member_id) if row.member_id else None,
        replaces=str(row.replaces_member_id) if row.replaces_member_id else None,
    )
