"""What an alert makes of its SMS' outcomes (registered for subject kind "alert")."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import repository
from app.notify.outcomes import Outcome
from app.notify.sms import DeliveryState


async def on_message_outcome(session: AsyncSession, outcome: Outcome) -> bool:
    """The first SMS about the alert that left marks it notified (received -> notified)."""
    if outcome.state is not DeliveryState.FAILED:
        await repository.mark_notified(session, alert_id=outcome.subject_id, at=outcome.at)
    return False
