"""A file's teams, applied through the roster's services: the team by its name, its members
by theirs, the leader, the rotations and the escalation policy.

Members the file leaves out are reported; they are deactivated only with `--prune` (never
deleted: their history stays). A member the file names again is reactivated. Rotations are
the file's: one not in the file is deleted, one changed is deleted and made anew (the API
has no change of a rotation). Teams the file leaves out are reported and left as they are.
"""

from __future__ import annotations

import uuid
from typing import Any

from app.api.documents import Claim
from app.apply.documents import apply_document
from app.apply.report import ADDED, CHANGED, REMOVED, Applying, Refusal
from app.apply.schema import RotationFile, TeamFile
from app.auth.municipalities import EVERY_MUNICIPALITY
from app.roster.rota import service as rota_service
from app.roster.rota.schemas import RotationIn, RotationOut
from app.roster.teams import service as team_service
from app.roster.teams.owners import TEAM
from app.roster.teams.schemas import MemberIn, MemberOut, MemberUpdate, TeamIn, TeamOut, TeamUpdate
from app.settings_documents import DOCUMENTS

MEMBER_FIELDS = ("mobile", "email", "role", "health_personnel_basis", "language")
"""What the file says of a member besides the name that identifies it."""


async def apply_teams(ctx: Applying, teams: list[TeamFile]) -> None:
    existing = {t.name: t for t in await team_service.list_teams(ctx.admin, municipality=ctx.code)}
    # A team that stops receiving alerts first, so that the one that starts never meets it.
    order = sorted(enumerate(teams), key=lambda entry: bool(entry[1].receives_alerts))
    for index, spec in order:
        async with Refusal(f"teams[{index}]"):
            await _apply_team(ctx, existing.get(spec.name), spec, f"teams[{index}]")
    for name in sorted(existing.keys() - {t.name for t in teams}):
        ctx.report.note(f"team {name} is not in the file: left as it is")


async def _apply_team(ctx: Applying, team: TeamOut | None, spec: TeamFile, where: str) -> None:
    if team is None:
        team = await team_service.create_team(
            ctx.admin, team_in=TeamIn(municipality=ctx.code, name=spec.name)
        )
        await ctx.session.flush()
        ctx.report.change(ADDED, f"team {spec.name}")
    await _receiving(ctx, team, spec)
    if spec.tell_others_when_taken not in (None, team.tell_others_when_taken):
        update = TeamUpdate(tell_others_when_taken=spec.tell_others_when_taken)
        team = await team_service.update_team(ctx.admin, team_id=team.id, update=update)
        ctx.report.change(CHANGED, f"team {spec.name}: tell_others_when_taken")
    if spec.members is None:
        return
    ids = await _members(ctx, team, spec.members)
    if spec.leader is not None and team.leader_member_id != ids[spec.leader]:
        update = TeamUpdate(leader_member_id=ids[spec.leader])
        await team_service.update_team(ctx.admin, team_id=team.id, update=update)
        ctx.report.change(CHANGED, f"team {spec.name}: leader {spec.leader}")
    if spec.rotations is not None:
        async with Refusal(f"{where}.rotations"):
            await _rotations(ctx, team, spec.rotations, ids)
    if spec.escalation_policy is not None:
        claim = Claim(team.id, EVERY_MUNICIPALITY, TEAM.check)
        body = spec.escalation_policy.body(ids)
        label = f"escalation-policy of {spec.name}"
        await apply_document(
            ctx, DOCUMENTS["escalation-policy"], claim, body, label=label, where=where
        )
    await _left_out(ctx, team, {m.name for m in spec.members})


async def _receiving(ctx: Applying, team: TeamOut, spec: TeamFile) -> None:
    if spec.receives_alerts in (None, team.receives_alerts):
        return
    if spec.receives_alerts:  # moved from the team that has them, in one step
        await team_service.set_alert_team(ctx.admin, code=ctx.code, team_id=team.id)
    else:
        update = TeamUpdate(receives_alerts=False)
        await team_service.update_team(ctx.admin, team_id=team.id, update=update)
    ctx.report.change(CHANGED, f"team {spec.name}: receives_alerts {spec.receives_alerts}")


async def _listed(ctx: Applying, team: TeamOut) -> dict[str, MemberOut]:
    """The team's members by name; an active one wins over a deactivated namesake."""
    members = await team_service.list_members(ctx.admin, team_id=team.id, include_inactive=True)
    return {m.name: m for m in sorted(members, key=lambda m: m.active)}


async def _members(ctx: Applying, team: TeamOut, specs: list[MemberIn]) -> dict[str, uuid.UUID]:
    """Add, change and reactivate the file's members; their ids by name."""
    existing = await _listed(ctx, team)
    ids: dict[str, uuid.UUID] = {}
    for spec in specs:
        label = f"member {spec.name} of {team.name}"
        member = existing.get(spec.name)
        if member is None:
            added = await team_service.add_member(ctx.admin, team_id=team.id, member_in=spec)
            ids[spec.name] = added.id
            ctx.report.change(ADDED, label)
            continue
        ids[spec.name] = member.id
        wanted = spec.model_dump(mode="json", include=set(MEMBER_FIELDS))
        have = member.model_dump(mode="json", include=set(MEMBER_FIELDS))
        changes = {k: v for k, v in wanted.items() if have[k] != v}
        if changes:
            update = MemberUpdate.model_validate(changes)
            await team_service.update_member(
                ctx.admin, team_id=team.id, member_id=member.id, update=update
            )
            ctx.report.change(CHANGED, f"{label}: {', '.join(sorted(changes))}")
        if not member.active:
            await team_service.set_member_active(
                ctx.admin, team_id=team.id, member_id=member.id, active=True
            )
            ctx.report.change(ADDED, f"{label}: reactivated")
    await ctx.session.flush()
    return ids


async def _left_out(ctx: Applying, team: TeamOut, named: set[str]) -> None:
    for member in (await _listed(ctx, team)).values():
        if member.name in named or not member.active:
            continue
        label = f"member {member.name} of {team.name}"
        if not ctx.prune:
            ctx.report.note(f"{label} is not in the file: left active (--prune deactivates)")
            continue
        change = await team_service.set_member_active(
            ctx.admin, team_id=team.id, member_id=member.id, active=False
        )
        ctx.report.change(REMOVED, f"{label}: deactivated")
        for warning in change.warnings:
            ctx.report.note(f"{label}: {warning}")


def _shape(rotation: RotationIn | RotationOut) -> tuple[Any, ...]:
    return (
        rotation.name,
        tuple(str(m) for m in rotation.member_ids),
        rotation.anchor,
        rotation.shift_days,
        rotation.window_start,
        rotation.window_end,
    )


async def _rotations(
    ctx: Applying, team: TeamOut, specs: list[RotationFile], ids: dict[str, uuid.UUID]
) -> None:
    """Make the team's rotations the file's: keep the same, delete the rest, add the new."""
    wanted = [spec.body(ids) for spec in specs]
    unmatched = list(wanted)
    for rotation in await rota_service.list_rotations(ctx.admin, team_id=team.id):
        same = next((w for w in unmatched if _shape(w) == _shape(rotation)), None)
        if same is not None:
            unmatched.remove(same)
            continue
        await rota_service.delete_entry(
            ctx.admin, rota_service.ROTATIONS, team_id=team.id, entry_id=rotation.id
        )
        ctx.report.change(REMOVED, f"rotation {rotation.name or '(unnamed)'} of {team.name}")
    for rotation_in in unmatched:
        await rota_service.create_rotation(ctx.admin, team_id=team.id, rotation_in=rotation_in)
        ctx.report.change(ADDED, f"rotation {rotation_in.name or '(unnamed)'} of {team.name}")
