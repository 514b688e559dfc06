"""Administration of municipalities, teams and members.

Deactivating a member answers with what it leaves uncovered. Other parts of the service know
what that is (the rota: shifts and rotations; escalation: policy steps naming the member) and
register a check here with `report_uncovered_with`, so this package depends on neither.

Every function acts for `municipalities` (the caller's, app/auth/municipalities.py): another
municipality's team or member is answered exactly as one that does not exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.admin import AdminScope
from app.auth.links import service as member_links
from app.auth.municipalities import ActingFor, codes_filter
from app.errors import Conflict, NotFound, field_error
from app.roster.enums import HealthPersonnelBasis, WrittenStandard
from app.roster.models import Member, Municipality, Team
from app.roster.teams import repository
from app.roster.teams.schemas import (
    MemberChange,
    MemberIn,
    MemberOut,
    MemberUpdate,
    MunicipalityIn,
    MunicipalityOut,
    TeamIn,
    TeamOut,
    TeamUpdate,
    WrittenStandardIn,
    WrittenStandardOut,
)


async def create_municipality(
    session: AsyncSession, *, municipality_in: MunicipalityIn, now: datetime
) -> MunicipalityOut:
    if await repository.get_municipality(session, municipality_in.code) is not None:
        raise Conflict(f"Municipality {municipality_in.code} exists already.")
    municipality = Municipality(
        code=municipality_in.code,
        name=municipality_in.name,
        written_standard=municipality_in.written_standard.value,
        created_at=now,
    )
    repository.add_municipality(session, municipality)
    return MunicipalityOut(**municipality.model_dump(), alert_team_id=None)


async def written_standard_of(session: AsyncSession, code: str) -> WrittenStandardOut:
    """The municipality's written standard (the owner is checked by the settings seam)."""
    municipality = await repository.get_municipality(session, code)
    assert municipality is not None  # checked by the seam's claim
    return WrittenStandardOut(written_standard=WrittenStandard(municipality.written_standard))


async def set_written_standard(
    session: AsyncSession, code: str, body: WrittenStandardIn, *, now: datetime
) -> WrittenStandardOut:
    """Set the default language of the municipality's SMS and pages: from the next SMS and
    page on, for every member who chose none."""
    municipality = await repository.get_municipality(session, code)
    assert municipality is not None  # checked by the seam's claim
    municipality.written_standard = body.written_standard.value
    session.add(municipality)
    return WrittenStandardOut(written_standard=body.written_standard)


async def list_municipalities(admin: AdminScope) -> list[MunicipalityOut]:
    codes = codes_filter(admin.municipalities)
    receivers = {
        t.municipality_code: t.id
        for t in await repository.list_teams(admin.session, codes=codes)
        if t.receives_alerts
    }
    return [
        MunicipalityOut(**m.model_dump(), alert_team_id=receivers.get(m.code))
        for m in await repository.list_municipalities(admin.session, codes=codes)
    ]


async def create_team(admin: AdminScope, *, team_in: TeamIn) -> TeamOut:
    session, code = admin.session, team_in.municipality
    if code not in admin.municipalities or await repository.get_municipality(session, code) is None:
        # One answer for a municipality not served and another administrator's.
        raise field_error("municipality", "not a municipality you administer")
    if await repository.get_team_by_name(session, municipality_code=code, name=team_in.name):
        raise Conflict(f"Municipality {code} has a team named {team_in.name!r} already.")
    if team_in.receives_alerts:
        await _refuse_second_receiver(session, code=code, team_id=None)
    team = Team(
        municipality_code=code,
        name=team_in.name,
        receives_alerts=team_in.receives_alerts,
        created_at=admin.now,
    )
    await _save(session, team)
    return team_out(team)


async def list_teams(admin: AdminScope, *, municipality: str | None) -> list[TeamOut]:
    teams = await repository.list_teams(
        admin.session, municipality_code=municipality, codes=codes_filter(admin.municipalities)
    )
    return [team_out(t) for t in teams]


async def get_team(session: AsyncSession, *, team_id: uuid.UUID, municipalities: ActingFor) -> Team:
    """The team, if it belongs to one of `municipalities`; NotFound otherwise."""
    team = await repository.get_team(session, team_id)
    if team is None or team.municipality_code not in municipalities:
        # The same answer for another municipality's team: ids reveal nothing.
        raise NotFound(f"No team {team_id}.")
    return team


async def update_team(admin: AdminScope, *, team_id: uuid.UUID, update: TeamUpdate) -> TeamOut:
    session = admin.session
    team = await get_team(session, team_id=team_id, municipalities=admin.municipalities)
    changes = update.model_fields_set
    if "name" in changes and update.name is not None and update.name != team.name:
        if await repository.get_team_by_name(
            session, municipality_code=team.municipality_code, name=update.name
        ):
            raise Conflict(
                f"Municipality {team.municipality_code} has a team named {update.name!r} already."
            )
        team.name = update.name
    if "leader_member_id" in changes:
        if update.leader_member_id is not None:
            await active_member_of(
                session,
                team_id=team.id,
                member_id=update.leader_member_id,
                field="leader_member_id",
            )
        team.leader_member_id = update.leader_member_id
    if update.tell_others_when_taken is not None:
        team.tell_others_when_taken = update.tell_others_when_taken
    if update.receives_alerts is not None and update.receives_alerts != team.receives_alerts:
        if update.receives_alerts:
            await _refuse_second_receiver(session, code=team.municipality_code, team_id=team.id)
        team.receives_alerts = update.receives_alerts
    await _save(session, team)
    return team_out(team)


async def set_alert_team(admin: AdminScope, *, code: str, team_id: uuid.UUID) -> MunicipalityOut:
    """Move the municipality's alerts to another of its teams in one step, with no gap."""
    session = admin.session
    municipality = await repository.get_municipality(session, code)
    if municipality is None or code not in admin.municipalities:
        raise NotFound(f"Municipality {code} is not served.")
    team = await get_team(session, team_id=team_id, municipalities=admin.municipalities)
    if team.municipality_code != code:
        raise field_error("team_id", f"the team belongs to municipality {team.municipality_code}")
    current = await repository.alert_team(session, municipality_code=code)
    if current is not None and current.id != team.id:
        current.receives_alerts = False
        # Flushed first: the unique index must never see two receivers at once.
        await _save(session, current)
    team.receives_alerts = True
    await _save(session, team)
    return MunicipalityOut(**municipality.model_dump(), alert_team_id=team.id)


async def _refuse_second_receiver(
    session: AsyncSession, *, code: str, team_id: uuid.UUID | None
) -> None:
    current = await repository.alert_team(session, municipality_code=code)
    if current is not None and current.id != team_id:
        raise Conflict(
            f"Team {current.name!r} receives the alerts of municipality {code} already. "
            f"Use PUT /v1/admin/municipalities/{code}/alert-team to move them.",
            team_id=str(current.id),
        )


async def _save(session: AsyncSession, team: Team) -> None:
    if not await repository.save_team(session, team):
        # Another request won the race for a unique rule checked above.
        raise Conflict(
            f"Municipality {team.municipality_code} got a team with this name or an alert-"
            "receiving team at the same moment; reload and retry."
        )


async def add_member(admin: AdminScope, *, team_id: uuid.UUID, member_in: MemberIn) -> MemberOut:
    await get_team(admin.session, team_id=team_id, municipalities=admin.municipalities)
    member = Member(
        team_id=team_id,
        name=member_in.name,
        mobile=member_in.mobile,
        email=member_in.email,
        role=member_in.role.value,
        is_health_personnel=member_in.health_personnel_basis is not None,
        health_personnel_basis=_value(member_in.health_personnel_basis),
        language=None if member_in.language is None else member_in.language.value,
        created_at=admin.now,
    )
    repository.add_member(admin.session, member)
    return member_out(member)


async def list_members(
    admin: AdminScope, *, team_id: uuid.UUID, include_inactive: bool
) -> list[MemberOut]:
    await get_team(admin.session, team_id=team_id, municipalities=admin.municipalities)
    members = await repository.list_members(
        admin.session, team_id=team_id, include_inactive=include_inactive
    )
    return [member_out(m) for m in members]


async def update_member(
    admin: AdminScope, *, team_id: uuid.UUID, member_id: uuid.UUID, update: MemberUpdate
) -> MemberOut:
    await get_team(admin.session, team_id=team_id, municipalities=admin.municipalities)
    member = await _member_of(admin.session, team_id=team_id, member_id=member_id)
    changes = update.model_dump(mode="json", exclude_unset=True)
    flag = changes.pop("is_health_personnel", None)
    if "health_personnel_basis" not in changes and flag is not None:
        # The deprecated flag alone: true keeps a recorded basis (else reads as authorisation).
        kept = member.health_personnel_basis or HealthPersonnelBasis.AUTHORISATION.value
        changes["health_personnel_basis"] = kept if flag else None
    for name, value in changes.items():
        setattr(member, name, value)
    member.is_health_personnel = member.health_personnel_basis is not None
    admin.session.add(member)
    return member_out(member)


def _value(basis: HealthPersonnelBasis | None) -> str | None:
    return None if basis is None else basis.value


async def set_member_active(
    admin: AdminScope, *, team_id: uuid.UUID, member_id: uuid.UUID, active: bool
) -> MemberChange:
    """Deactivation is never refused (someone who left must stop getting alerts at once);
    the answer says what it leaves uncovered."""
    session, now = admin.session, admin.now
    team = await get_team(session, team_id=team_id, municipalities=admin.municipalities)
    member = await _member_of(session, team_id=team_id, member_id=member_id)
    member.active = active
    session.add(member)
    warnings: list[str] = []
    if not active:
        await member_links.revoke_for_member(session, member_id=member.id, now=now)
        if team.leader_member_id == member.id:
            team.leader_member_id = None
            session.add(team)
            warnings.append("Was the team's leader: the team has no leader now; appoint another.")
        for _, check in sorted(_uncovered_checks.values(), key=lambda entry: entry[0]):
            warnings += await check(session, member, now)
    return MemberChange(member=member_out(member), warnings=warnings)


UncoveredCheck = Callable[[AsyncSession, Member, datetime], Awaitable[list[str]]]
"""What deactivating `member` at `now` leaves uncovered, as warnings for the admin."""

_uncovered_checks: dict[str, tuple[int, UncoveredCheck]] = {}


def report_uncovered_with(name: str, check: UncoveredCheck, *, order: int) -> None:
    """Register a check run on every deactivation; warnings come in `order`. Registering the
    same name again replaces the check (modules may be imported again in tests)."""
    _uncovered_checks[name] = (order, check)


async def _member_of(session: AsyncSession, *, team_id: uuid.UUID, member_id: uuid.UUID) -> Member:
    member = await repository.get_member(session, member_id)
    if member is None or member.team_id != team_id:
        raise NotFound(f"Team {team_id} has no member {member_id}.")
    return member


async def active_member_of(
    session: AsyncSession, *, team_id: uuid.UUID, member_id: uuid.UUID, field: str
) -> Member:
    """The member, or a 422 naming `field` if it is not an active member of the team."""
    member = await repository.get_member(session, member_id)
    if member is None or member.team_id != team_id:
        raise field_error(field, "not a member of this team")
    if not member.active:
        raise field_error(field, "the member is deactivated")
    return member


def team_out(team: Team) -> TeamOut:
    return TeamOut.model_validate(team, from_attributes=True)


def member_out(member: Member) -> MemberOut:
    return MemberOut.model_validate(member, from_attributes=True)
