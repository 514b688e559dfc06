"""What a change to a follow-up case must pass: the case locked and allowing it, the actor
on it (and whether they lead the team), members of its team, no personal data in a text."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import repository as alerts_repository
from app.alerts import sealing
from app.errors import Conflict, FieldProblem, Forbidden, InvalidFields, NotFound
from app.followup.cases.actor import Actor, CaseScope
from app.followup.cases.models import FollowupCase, FollowupStep
from app.followup.cases.views import find_case
from app.followup.state import CaseAction, CaseState, IllegalTransition, case_after
from app.privacy.free_text import personal_data_in
from app.roster.models import Member
from app.roster.rota import duty as roster_duty


class IllegalCaseChange(Conflict):
    """The case or step is not in a state that allows the change (state.IllegalTransition)."""


@dataclass(frozen=True)
class Acting:
    """The actor on one case: the label recorded, and whether they act as its leader."""

    label: str
    member_id: uuid.UUID | None
    leads: bool


async def acting_on(session: AsyncSession, case: FollowupCase, actor: Actor) -> Acting:
    if actor.member_id is None:
        return Acting(label=actor.label, member_id=None, leads=actor.acts_for_leader)
    try:
        member = await team_member(session, case, actor.member_id, field="by_member_id")
    except InvalidFields:
        if actor.signed_in:  # they sent no `by_member_id`: the case is another team's
            raise Forbidden("Only members of the case's team change it.") from None
        raise
    team = await roster_duty.get_team(session, team_id=member.team_id)
    leads = actor.acts_for_leader or (team is not None and team.leader_member_id == member.id)
    return Acting(label=f"{member.name} ({member.role})", member_id=member.id, leads=leads)


async def team_member(
    session: AsyncSession, case: FollowupCase, member_id: uuid.UUID, *, field: str
) -> Member:
    """An active member of the case's team; 422 naming `field` otherwise."""
    return (await team_members(session, case, {field: member_id}))[field]


async def team_members(
    session: AsyncSession, case: FollowupCase, wanted: dict[str, uuid.UUID]
) -> dict[str, Member]:
    """Active members of the case's team by field, read at once; 422 naming the first field
    (in `wanted`'s order) whose member is not one."""
    found = await roster_duty.members_by_id(session, list(dict.fromkeys(wanted.values())))
    members: dict[str, Member] = {}
    for field, member_id in wanted.items():
        member = found.get(member_id)
        if member is None or not member.active or member.team_id != case.team_id:
            raise InvalidFields(
                [FieldProblem(field=field, reason="not an active member of the case's team")]
            )
        members[field] = member
    return members


def step_of(steps: list[FollowupStep], case_id: uuid.UUID, step_key: str) -> FollowupStep:
    step = next((s for s in steps if s.key == step_key), None)
    if step is None:
        raise NotFound(f"Case {case_id} has no step {step_key}.")
    return step


def illegal(change: IllegalTransition) -> IllegalCaseChange:
    return IllegalCaseChange(change.reason)


async def open_for_change(scope: CaseScope, case_id: uuid.UUID, action: CaseAction) -> FollowupCase:
    """The case, locked for the change, if it is the actor's (404) and allows `action` (409)."""
    case = await find_case(scope.session, case_id, scope.actor, for_update=True)
    try:
        case_after(CaseState(case.state), action)
    except IllegalTransition as exc:
        raise illegal(exc) from exc
    return case


async def no_personal_data(scope: CaseScope, case: FollowupCase, **texts: str | None) -> None:
    """422 naming each text with a national id, a phone number or the person's name from the
    case's alert (opened for this check only); the value is never echoed."""
    given = {field: text for field, text in texts.items() if text is not None}
    if not given:
        return
    alert = await alerts_repository.get_by_id(scope.session, alert_id=case.alert_id)
    names = sealing.person_names(scope.cipher, [alert] if alert is not None else [])
    problems = [
        FieldProblem(field=field, reason="; ".join(reasons) + ": no personal data here")
        for field, text in given.items()
        if (reasons := personal_data_in(text, names=names))
    ]
    if problems:
        raise InvalidFields(problems)


async def leading(scope: CaseScope, case: FollowupCase, *, to: str) -> Acting:
    """The actor, who must act as the team's leader: 403 "Only the team's leader `to`"."""
    acting = await acting_on(scope.session, case, scope.actor)
    if not acting.leads:
        raise Forbidden(f"Only the team's leader {to}.")
    return acting
