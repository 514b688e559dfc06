"""Queries on escalation policies and their steps."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.escalation.policy.models import EscalationPolicyRow, EscalationStepRow


async def get_policy(session: AsyncSession, *, team_id: uuid.UUID) -> EscalationPolicyRow | None:
    result = await session.execute(
        select(EscalationPolicyRow).where(col(EscalationPolicyRow.team_id) == team_id)
    )
    return result.scalar_one_or_none()


async def list_steps(session: AsyncSession, *, policy_id: uuid.UUID) -> Sequence[EscalationStepRow]:
    result = await session.execute(
        select(EscalationStepRow)
        .where(col(EscalationStepRow.policy_id) == policy_id)
        .order_by(col(EscalationStepRow.position))
    )
    return result.scalars().all()


async def save_policy(
    session: AsyncSession, policy: EscalationPolicyRow, steps: Sequence[EscalationStepRow]
) -> None:
    """Store the policy and replace all its steps."""
    session.add(policy)
    await session.flush()
    # Old steps go before the new ones are inserted: positions are unique per policy.
    await session.execute(
        delete(EscalationStepRow)
        .where(col(EscalationStepRow.policy_id) == policy.id)
        .execution_options(synchronize_session="fetch")
    )
    session.add_all(steps)
    await session.flush()
