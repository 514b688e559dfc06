"""What an alert must pass before anything of it is stored: a sender that may report for
the municipality, and a time the alert can have."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import repository
from app.config.sections import IntakeSettings
from app.errors import DomainError, FieldProblem, InvalidFields


class AlertNotDelivered(DomainError):
    status, slug, title = 422, "alert-not-delivered", "The alert was NOT delivered"


class AlertNotPermitted(DomainError):
    status, slug, title = 403, "alert-not-delivered", "The alert was NOT delivered"


async def check_may_report(
    session: AsyncSession, municipality: str, municipalities: Collection[str]
) -> None:
    """Refuse an alert for a municipality the client may not report for: 422 if the service
    does not serve it, 403 if it does. Either way the dispatcher must phone instead."""
    if municipality in municipalities:
        return
    if not await repository.is_served(session, code=municipality):
        raise AlertNotDelivered(
            f"Municipality {municipality} is not served by odvarsel. "
            "The alert was NOT delivered: notify the municipality by phone."
        )
    raise AlertNotPermitted(
        f"This client may not report for municipality {municipality}. "
        "The alert was NOT delivered: notify the municipality by phone."
    )


def check_occurred_at(occurred_at: datetime, *, now: datetime, intake: IntakeSettings) -> None:
    """Refuse a time no overdose alert can have: long ago, or ahead of the service clock.

    Such a time means a wrong clock or time zone at the sender; accepted, it would page at the
    wrong time or make the escalation unschedulable. (Late but plausible alerts are kept.)
    """
    earliest = now - timedelta(days=intake.max_age_days)
    latest = now + timedelta(minutes=intake.max_future_minutes)
    if occurred_at < earliest:
        reason = f"more than {intake.max_age_days} days before the service's clock"
    elif occurred_at > latest:
        reason = (
            f"more than {intake.max_future_minutes} minutes after the service's clock; "
            "check the sending system's clock and time zone"
        )
    else:
        return
    raise InvalidFields([FieldProblem(field="occurred_at", reason=reason)])
