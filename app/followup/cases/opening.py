"""Cases that no tap opens: a fatal alert (the leader is told, nobody takes it) and an alert
deferred to working hours (a task for the team from the moment working hours start). Both open
when triage said the work starts (`triage_page_at`: a fatal alert of the night in the morning,
unless the municipality tells it at night too): no deadline falls before then (docs/rules.md,
"Step deadlines").

Taking an alert opens its case in the same transaction (`app.web.service.take`,
`app.answers.sms_replies`); these are opened by the follow-up engine each round instead, so
the alert intake needs to know nothing of follow-up (follow-up builds on alerts).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.db import describe_error
from app.followup.cases import repository
from app.followup.cases.service import open_case_for_alert
from app.privacy.crypto import FieldCipher
from app.triage.rules import TriageAction

OPENED_WITHOUT_TAKING = (TriageAction.FATAL.value, TriageAction.WORKING_HOURS.value)
log = logging.getLogger(__name__)

LOOK_BACK = timedelta(days=30)
"""Older alerts with no case are left alone: they came before follow-up existed."""


async def open_untaken(
    session: AsyncSession,
    *,
    now: datetime,
    cipher: FieldCipher,
    public_base_url: str,
    limit: int,
) -> int:
    """Open the cases of fatal and deferred alerts that have none; how many were opened."""
    alert_ids = await repository.alerts_without_case(
        session,
        triage_actions=OPENED_WITHOUT_TAKING,
        since=now - LOOK_BACK,
        now=now,
        limit=limit,
    )
    opened = 0
    for alert_id in alert_ids:
        try:
            async with session.begin_nested():
                await open_case_for_alert(
                    session,
                    alert_id=alert_id,
                    taken_by=None,
                    now=now,
                    cipher=cipher,
                    public_base_url=public_base_url,
                )
            opened += 1
        except Exception as exc:  # one alert that cannot get a case must not block the rest
            log.error(
                "follow-up case could not be opened; retrying next round",
                extra={"alert_id": str(alert_id), **describe_error(exc)},
            )
    return opened
