"""Administration of duty rosters: rotations, shifts, overrides and calendar imports."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.admin import AdminScope
from app.errors import NotFound, field_error
from app.roster.enums import ShiftSource
from app.roster.models import Member, OverrideRow, RotationRow, ShiftRow
from app.roster.rota import duty as roster_duty
from app.roster.rota import ical, oncall
from app.roster.rota import repository as rota_repository
from app.roster.rota.repository import TimedRow
from app.roster.rota.schemas import (
    Hole,
    ImportedShift,
    MemberBrief,
    OnDutyOut,
    OverrideIn,
    OverrideOut,
    RosterHolesOut,
    RotaImportOut,
    RotationIn,
    RotationOut,
    ShiftIn,
    ShiftOut,
)
from app.roster.teams import repository
from app.roster.teams import service as team_service
from app.roster.teams.service import active_member_of, get_team

Row = TypeVar("Row", RotationRow, ShiftRow, OverrideRow)
"""A roster entry's table."""
Out = TypeVar("Out", RotationOut, ShiftOut, OverrideOut)
"""The document that shows it."""


@dataclass(frozen=True, slots=True)
class Entries(Generic[Row, Out]):
    """A kind of roster entry an administrator adds, lists and removes: its name (in paths
    and refusals), its table, and the document that shows a row."""

    name: str
    row: type[Row]
    out: type[Out]


ROTATIONS = Entries("rotation", RotationRow, RotationOut)
SHIFTS = Entries("shift", ShiftRow, ShiftOut)
OVERRIDES = Entries("override", OverrideRow, OverrideOut)


async def create_rotation(
    admin: AdminScope, team_id: uuid.UUID, rotation_in: RotationIn
) -> RotationOut:
    await _team(admin, team_id)
    for index, member_id in enumerate(rotation_in.member_ids):
        await active_member_of(
            admin.session, team_id=team_id, member_id=member_id, field=f"member_ids.{index}"
        )
    row = RotationRow(
        team_id=team_id,
        name=rotation_in.name or None,
        member_ids=[str(m) for m in rotation_in.member_ids],
        anchor=rotation_in.anchor,
        shift_days=rotation_in.shift_days,
        window_start=rotation_in.window_start,
        window_end=rotation_in.window_end,
        created_at=admin.now,
    )
    try:
        roster_duty.to_rotation(row)  # the pure model has the last word
    except ValueError as exc:
        raise field_error("body", str(exc)) from None
    return _added(admin, ROTATIONS, row)


async def list_rotations(admin: AdminScope, *, team_id: uuid.UUID) -> list[RotationOut]:
    await _team(admin, team_id)
    rows = await rota_repository.list_rotations(admin.session, team_id=team_id)
    return [RotationOut.model_validate(r, from_attributes=True) for r in rows]


async def create_shift(admin: AdminScope, team_id: uuid.UUID, shift_in: ShiftIn) -> ShiftOut:
    await _team(admin, team_id)
    await active_member_of(
        admin.session, team_id=team_id, member_id=shift_in.member_id, field="member_id"
    )
    row = ShiftRow(
        **shift_in.model_dump(),
        team_id=team_id,
        source=ShiftSource.MANUAL.value,
        created_at=admin.now,
    )
    return _added(admin, SHIFTS, row)


async def create_override(
    admin: AdminScope, team_id: uuid.UUID, override_in: OverrideIn
) -> OverrideOut:
    await _team(admin, team_id)
    for field in ("member_id", "replaces_member_id"):
        member_id = getattr(override_in, field)
        if member_id is not None:
            await active_member_of(admin.session, team_id=team_id, member_id=member_id, field=field)
    # The request's fields are the row's columns, by the same names.
    row = OverrideRow(
        **override_in.model_dump(exclude={"reason"}),
        team_id=team_id,
        reason=override_in.reason or None,
        created_at=admin.now,
    )
    return _added(admin, OVERRIDES, row)


def _added(admin: AdminScope, entries: Entries[Row, Out], row: Row) -> Out:
    rota_repository.add(admin.session, row)
    return entries.out.model_validate(row, from_attributes=True)


async def list_overlapping(
    admin: AdminScope,
    entries: Entries[TimedRow, Out],
    *,
    team_id: uuid.UUID,
    start: datetime | None,
    end: datetime | None,
) -> list[Out]:
    """The team's shifts or overrides overlapping [start, end); an open bound is unlimited."""
    await _team(admin, team_id)
    rows = await rota_repository.list_overlapping(
        admin.session, entries.row, team_id=team_id, start=start, end=end
    )
    return [entries.out.model_validate(r, from_attributes=True) for r in rows]


async def delete_entry(
    admin: AdminScope, entries: Entries[Row, Out], *, team_id: uuid.UUID, entry_id: uuid.UUID
) -> None:
    """Remove the team's rotation, shift or override; NotFound if the team has no such one."""
    await _team(admin, team_id)
    row = await rota_repository.get(admin.session, entries.row, entry_id)
    if row is None or row.team_id != team_id:
        raise NotFound(f"Team {team_id} has no {entries.name} {entry_id}.")
    await rota_repository.delete_row(admin.session, row)


async def _team(admin: AdminScope, team_id: uuid.UUID) -> None:
    """NotFound unless the team is of a municipality the administrator acts for."""
    await get_team(admin.session, team_id=team_id, municipalities=admin.municipalities)


async def import_rota(
    admin: AdminScope,
    *,
    team_id: uuid.UUID,
    data: bytes,
    window_start: datetime,
    window_end: datetime,
    dry_run: bool,
) -> RotaImportOut:
    """Shifts from an .ics file, replacing the shifts of earlier imports in the window.

    Attendees are matched to active members by email, then by name (case-insensitive); an
    event without attendees by its title. What cannot be matched is listed in `unmatched`.
    """
    await _team(admin, team_id)
    session = admin.session
    members = await repository.list_members(session, team_id=team_id)
    try:
        # Up to a third of a second of expansion (recurrence.MAX_OCCURRENCES): in a thread,
        # so the event loop goes on taking alerts meanwhile.
        parsed = await asyncio.to_thread(
            ical.parse_rota,
            data,
            window_start=window_start,
            window_end=window_end,
            identify=_identify(members),
        )
    except ical.RotaImportError as exc:
        raise field_error("body", str(exc)) from None
    if dry_run:
        replaced = await rota_repository.count_ical_shifts(
            session, team_id=team_id, start=window_start, end=window_end
        )
    else:
        replaced = await rota_repository.delete_ical_shifts(
            session, team_id=team_id, start=window_start, end=window_end
        )
        for shift in parsed.shifts:
            rota_repository.add(session, _shift_row(team_id, shift, admin.now))
    names = {str(m.id): m.name for m in members}
    return RotaImportOut(
        window_start=window_start,
        window_end=window_end,
        dry_run=dry_run,
        replaced=replaced,
        shifts=[
            ImportedShift(
                member_id=uuid.UUID(s.member_id),
                member_name=names[s.member_id],
                starts_at=s.starts_at,
                ends_at=s.ends_at,
            )
            for s in parsed.shifts
        ],
        unmatched=list(parsed.unmatched),
    )


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _identify(members: Sequence[Member]) -> Callable[[ical.EventPerson], str | None]:
    by_email = {_key(m.email): str(m.id) for m in members if m.email}
    by_name: dict[str, str | None] = {}
    for member in members:
        key = _key(member.name)
        # Two members with one name: a shift cannot be given to either, so it is reported.
        by_name[key] = None if key in by_name else str(member.id)

    def identify(person: ical.EventPerson) -> str | None:
        if person.email and _key(person.email) in by_email:
            return by_email[_key(person.email)]
        return by_name.get(_key(person.name)) if person.name else None

    return identify


def _shift_row(team_id: uuid.UUID, shift: oncall.Shift, now: datetime) -> ShiftRow:
    return ShiftRow(
        team_id=team_id,
        member_id=uuid.UUID(shift.member_id),
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        source=ShiftSource.ICAL.value,
        created_at=now,
    )


async def on_duty(admin: AdminScope, *, team_id: uuid.UUID, at: datetime) -> OnDutyOut:
    await _team(admin, team_id)
    view, members = await roster_duty.team_view(admin.session, team_id=team_id, at=at)
    leader = members.get(view.leader_id) if view.leader_id else None
    return OnDutyOut(
        team_id=team_id,
        at=at,
        on_duty=[_brief(members[m]) for m in view.on_duty],
        leader=_brief(leader) if leader else None,
        roster_hole=not view.on_duty,
    )


async def holes(
    admin: AdminScope, *, team_id: uuid.UUID, start: datetime, end: datetime
) -> RosterHolesOut:
    await _team(admin, team_id)
    session = admin.session
    gaps = await roster_duty.roster_holes(session, team_id=team_id, start=start, end=end)
    return RosterHolesOut(
        team_id=team_id,
        window_start=start,
        window_end=end,
        holes=[Hole(starts_at=s, ends_at=e) for s, e in gaps],
        stopped_sms=[_brief(m) for m in await roster_duty.stopped_sms(session, team_id=team_id)],
    )


def _brief(member: Member) -> MemberBrief:
    return MemberBrief.model_validate(member, from_attributes=True)


async def duty_left_uncovered(session: AsyncSession, member: Member, now: datetime) -> list[str]:
    """Shifts, overrides and rotations that put a deactivated member on duty."""
    member_id = str(member.id)
    shifts = [
        s
        for s in await rota_repository.list_overlapping(
            session, ShiftRow, team_id=member.team_id, start=now
        )
        if s.member_id == member.id
    ]
    overrides = [
        o
        for o in await rota_repository.list_overlapping(
            session, OverrideRow, team_id=member.team_id, start=now
        )
        if o.member_id == member.id
    ]
    warnings = (
        [
            f"{len(shifts) + len(overrides)} current or coming shift(s) or override(s) put them on "
            "duty: those times are roster holes unless someone else covers."
        ]
        if shifts or overrides
        else []
    )
    warnings += [
        f"In rotation {r.name or r.id}: their turns are roster holes until the rotation is "
        "replaced."
        for r in await rota_repository.list_rotations(session, team_id=member.team_id)
        if member_id in r.member_ids
    ]
    return warnings


team_service.report_uncovered_with("rota", duty_left_uncovered, order=10)
