"""Opening and recording the duty to tell the person what was shared (pbrl § 3-6).

A duty is opened in the transaction of each disclosure without consent: by the alert intake
(AMK disclosed to the team) and by each manual decision. It is recorded when someone says who
tells the person, or why the person is not told («så langt forholdene tilsier det»); a later
record replaces an earlier one (someone unreachable yesterday may be told today).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.consent.enums import DataCategory
from app.errors import FieldProblem, InvalidFields, NotFound
from app.informing import repository
from app.informing.models import InformDuty, InformTrigger

EXACTLY_ONE = (
    "give exactly one of informed_by (who tells the person what was shared) and "
    "not_informed_reason (why not): pasient- og brukerrettighetsloven § 3-6"
)


def inform_problems(informed_by: str | None, not_informed_reason: str | None) -> list[FieldProblem]:
    """Why a record of the duty is refused: empty when exactly one answer is given. Pure."""
    if (informed_by is None) == (not_informed_reason is None):
        field = "informed_by" if informed_by is None else "not_informed_reason"
        return [FieldProblem(field=field, reason=EXACTLY_ONE)]
    return []


@dataclass(frozen=True)
class InformAnswer:
    """How a duty is answered: who tells the person what was shared, or why the person is not
    told (exactly one of the two), and who records it."""

    informed_by: str | None
    not_informed_reason: str | None
    recorded_by: str

    def problems(self) -> list[FieldProblem]:
        return inform_problems(self.informed_by, self.not_informed_reason)


def open_duty(
    session: AsyncSession,
    *,
    alert_id: uuid.UUID,
    trigger: InformTrigger,
    recipient: str,
    categories: Iterable[DataCategory],
    now: datetime,
    decision_id: uuid.UUID | None = None,
    answer: InformAnswer | None = None,
) -> InformDuty:
    """Add an open duty in the caller's transaction (no commit). Given an `answer` already
    (the caller has checked it: exactly one of informed_by and not_informed_reason, not both)
    it is recorded at `now`."""
    if answer is not None and answer.problems():
        raise ValueError("a duty is answered by informed_by or not_informed_reason, not both")
    shared = sorted({DataCategory(c).value for c in categories})
    if not shared:
        raise ValueError("a duty follows a disclosure: name the categories disclosed")
    duty = InformDuty(
        alert_id=alert_id,
        opened_at=now,
        trigger=trigger.value,
        decision_id=decision_id,
        recipient=recipient,
        categories=shared,
    )
    if answer is not None:
        _answer(duty, answer, now)
    repository.add(session, duty)
    return duty


async def duties_of(session: AsyncSession, *, alert_id: uuid.UUID) -> list[InformDuty]:
    """The alert's duties, oldest first; the caller has checked that it may see the alert."""
    return await repository.list_for(session, alert_id=alert_id)


async def record(
    session: AsyncSession,
    *,
    alert_id: uuid.UUID,
    duty_id: uuid.UUID,
    answer: InformAnswer,
    now: datetime,
) -> InformDuty:
    """Record who tells the person, or why not (exactly one; 422 otherwise), replacing an
    earlier record. NotFound for a duty of another alert, as for one that does not exist."""
    duty = await repository.get_for_alert(session, alert_id=alert_id, duty_id=duty_id)
    if duty is None:
        raise NotFound(f"Alert {alert_id} has no inform duty {duty_id}.")
    problems = answer.problems()
    if problems:
        raise InvalidFields(problems)
    _answer(duty, answer, now)
    session.add(duty)
    return duty


def _answer(duty: InformDuty, answer: InformAnswer, now: datetime) -> None:
    duty.informed_by = answer.informed_by
    duty.not_informed_reason = answer.not_informed_reason
    duty.recorded_at = now
    duty.recorded_by = answer.recorded_by
