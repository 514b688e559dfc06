"""Escalation policies in storage: loading one for the engine, and saving one from the admin API.

`load_policy` is what the engine calls. A team that has no policy configured escalates by
`rules.DEFAULT_POLICY` (on duty 5 min, on duty + leader 5 min, whole team 10 min, all of it
twice, no fallback number), so a new team is never left without escalation.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.municipalities import ActingFor
from app.errors import Unprocessable, field_error
from app.escalation.policy import repository as policy_repository
from app.escalation.policy import rules as pure
from app.escalation.policy.models import EscalationPolicyRow, EscalationStepRow
from app.escalation.policy.schemas import PolicyIn, PolicyOut, StepModel, StepTargetModel
from app.roster.models import Member
from app.roster.teams import repository as roster_repository
from app.roster.teams import service as team_service


async def load_policy(session: AsyncSession, *, team_id: uuid.UUID) -> pure.Policy:
    """The team's policy; `DEFAULT_POLICY` when the team has none configured."""
    row = await policy_repository.get_policy(session, team_id=team_id)
    if row is None:
        return pure.DEFAULT_POLICY
    steps = await policy_repository.list_steps(session, policy_id=row.id)
    return pure.Policy(
        steps=tuple(
            pure.Step(targets=tuple(_target(t) for t in s.targets), delay_minutes=s.delay_minutes)
            for s in steps
        ),
        repeat=row.repeat,
        fallback_number=row.fallback_number,
    )


async def get_policy(session: AsyncSession, team_id: uuid.UUID) -> PolicyOut:
    """The team's policy as the admin API shows it (`configured: false` for the default)."""
    row = await policy_repository.get_policy(session, team_id=team_id)
    return _out(team_id, await load_policy(session, team_id=team_id), row)


async def save_policy(
    session: AsyncSession,
    *,
    team_id: uuid.UUID,
    policy_in: PolicyIn,
    municipalities: ActingFor,
    now: datetime,
) -> PolicyOut:
    """`set_policy` for a team of `municipalities` (NotFound otherwise): for operator tools,
    which act for every municipality but name a team that must exist."""
    await team_service.get_team(session, team_id=team_id, municipalities=municipalities)
    return await set_policy(session, team_id, policy_in, now=now)


async def set_policy(
    session: AsyncSession, team_id: uuid.UUID, policy_in: PolicyIn, *, now: datetime
) -> PolicyOut:
    """Replace the team's policy. Named members must be active members of the team."""
    await _check_members(session, team_id=team_id, policy_in=policy_in)
    try:
        policy = pure.Policy(
            steps=tuple(
                pure.Step(
                    targets=tuple(
                        pure.StepTarget(t.kind, tuple(str(m) for m in t.member_ids))
                        for t in s.targets
                    ),
                    delay_minutes=s.delay_minutes,
                )
                for s in policy_in.steps
            ),
            repeat=policy_in.repeat,
            fallback_number=policy_in.fallback_number,
        )
    except ValueError as exc:
        raise field_error("body", str(exc)) from None
    row = await policy_repository.get_policy(session, team_id=team_id) or EscalationPolicyRow(
        team_id=team_id, repeat=0, updated_at=now
    )
    row.repeat, row.fallback_number, row.updated_at = policy.repeat, policy.fallback_number, now
    steps = [
        EscalationStepRow(
            policy_id=row.id,
            position=position,
            delay_minutes=step.delay_minutes,
            targets=[_target_json(t) for t in step.targets],
        )
        for position, step in enumerate(policy.steps)
    ]
    await policy_repository.save_policy(session, row, steps)
    return _out(team_id, policy, row)


async def _check_members(session: AsyncSession, *, team_id: uuid.UUID, policy_in: PolicyIn) -> None:
    members = {
        m.id: m
        for m in await roster_repository.list_members(
            session, team_id=team_id, include_inactive=True
        )
    }
    errors: list[dict[str, str]] = []
    for i, step in enumerate(policy_in.steps):
        for j, target in enumerate(step.targets):
            for k, member_id in enumerate(target.member_ids):
                member = members.get(member_id)
                if member is None or not member.active:
                    reason = "not a member of this team" if member is None else "deactivated"
                    errors.append(
                        {"field": f"steps.{i}.targets.{j}.member_ids.{k}", "reason": reason}
                    )
    if errors:
        detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
        raise Unprocessable(detail, errors=errors)


def _target(data: dict[str, Any]) -> pure.StepTarget:
    return pure.StepTarget(pure.TargetKind(data["kind"]), tuple(data.get("member_ids", ())))


def _target_json(target: pure.StepTarget) -> dict[str, Any]:
    return {"kind": target.kind.value, "member_ids": list(target.member_ids)}


def step_models(policy: pure.Policy) -> list[StepModel]:
    """The policy's steps as API models (e.g. to store the default policy as a team's own)."""
    return [
        StepModel(
            delay_minutes=s.delay_minutes,
            targets=[
                StepTargetModel(kind=t.kind, member_ids=[uuid.UUID(m) for m in t.member_ids])
                for t in s.targets
            ],
        )
        for s in policy.steps
    ]


def _out(team_id: uuid.UUID, policy: pure.Policy, row: EscalationPolicyRow | None) -> PolicyOut:
    return PolicyOut(
        team_id=team_id,
        configured=row is not None,
        steps=step_models(policy),
        repeat=policy.repeat,
        fallback_number=policy.fallback_number,
        updated_at=row.updated_at if row else None,
    )


async def steps_naming(session: AsyncSession, member: Member, now: datetime) -> list[str]:
    """Warnings for a deactivated member named in the team's policy (those steps skip them)."""
    policy = await policy_repository.get_policy(session, team_id=member.team_id)
    if policy is None:
        return []
    member_id = str(member.id)
    return [
        f"Named in escalation step {step.position + 1}: that step skips them now."
        for step in await policy_repository.list_steps(session, policy_id=policy.id)
        if any(member_id in t.get("member_ids", []) for t in step.targets)
    ]


team_service.report_uncovered_with("escalation policy", steps_naming, order=20)
