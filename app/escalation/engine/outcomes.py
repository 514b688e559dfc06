"""What the escalation makes of its messages' outcomes (registered for subject kind "alert").

A failed SMS of the step paged last moves the escalation on at once; everything else about
a message changes nothing here.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.escalation.engine import round as escalation_round
from app.escalation.engine.messages import position_of
from app.notify.outcomes import Outcome
from app.notify.sms import DeliveryState


async def on_message_outcome(session: AsyncSession, outcome: Outcome) -> bool:
    """True if the escalation's next move became due now."""
    if outcome.state is not DeliveryState.FAILED:
        return False
    position = position_of(dict(outcome.context))
    if position is None:  # not a step's page (a roster-hole or closing note)
        return False
    return await escalation_round.escalate_now(
        session,
        alert_id=outcome.subject_id,
        pass_index=position.pass_index,
        step_index=position.step_index,
        now=outcome.at,
    )
