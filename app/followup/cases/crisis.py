"""A serious crisis: a survivor with repeated non-fatal overdoses (`app.followup.repeated`).
The case gets the extra steps and the leader an SMS (docs/rules.md, "Repeated overdoses")."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.alerts.models import Alert
from app.consent.enums import ConsentState
from app.followup import deadlines, repeated, texts
from app.followup.cases import repository
from app.followup.cases.actor import SYSTEM
from app.followup.cases.models import SUBJECT_KIND, CaseEventKind, FollowupCase
from app.followup.settings import service as followup_settings
from app.followup.template_schema import Condition, FollowupTemplate, TemplateKind
from app.followup.templates import plan
from app.i18n import spoken
from app.notify import outbox
from app.notify.models import OutboxMessage, OutboxStatus
from app.roster.models import Member
from app.roster.rota import duty as roster_duty
from app.triage.rules import TriageAction

CRISIS_PURPOSE = "followup_crisis"
"""The outbox purpose of the leader's SMS about a serious crisis (repeated overdoses)."""


@dataclass(frozen=True)
class Crisis:
    """A survivor's repeated overdoses: the window they were counted in, the steps added."""

    window: timedelta
    extra: list[plan.PlannedStep]


async def serious_crisis(
    session: AsyncSession,
    alert: Alert,
    case: FollowupCase,
    template: FollowupTemplate,
    conditions: Mapping[Condition, bool],
    *,
    people: plan.RoleHolders,
    after: int,
    now: datetime,
    told_at: datetime,
) -> Crisis | None:
    """A survivor case of a person with an earlier non-fatal overdose within the window of the
    alert's municipality (`settings.repeat_window`; by the keyed hash of the national id, in
    any municipality: `repeated`) is marked a serious crisis and gets the extra steps,
    numbered `after` the template's own; None for any other case."""
    if case.kind != TemplateKind.SURVIVOR:
        return None
    # The window of the municipality whose case opens.
    window = await followup_settings.repeat_window(
        session, municipality_code=alert.municipality_code
    )
    count = await _repeat_count(session, alert, window)
    if not repeated.is_serious_crisis(count):
        return None
    case.serious_crisis, case.repeated_overdoses = True, count
    unit = await followup_settings.coordinating_unit(
        session, municipality_code=alert.municipality_code
    )
    extra = plan.plan_steps(
        repeated.extra_steps((s.key for s in template.steps), coordinating_unit=unit),
        conditions,
        people=people,
        alert_at=alert.occurred_at,
        opened_at=now,
        told_at=told_at,
        first_position=after,
    )
    return Crisis(window, extra)


async def _repeat_count(session: AsyncSession, alert: Alert, window: timedelta) -> int:
    """The alert's person's non-fatal overdoses within `window` (the setting of the alert's
    municipality: `repeated.repeat_count`), found by the keyed hash alone, in every
    municipality."""
    if alert.national_id_hash is None:
        return 0
    since = alert.occurred_at - window
    rows = await session.execute(
        select(
            col(Alert.id),
            col(Alert.national_id_hash),
            col(Alert.occurred_at),
            col(Alert.triage_action),
        ).where(
            col(Alert.national_id_hash) == alert.national_id_hash,
            col(Alert.occurred_at) >= since,
            col(Alert.occurred_at) <= alert.occurred_at,
            col(Alert.consent_state) != ConsentState.OBJECTED,
        )
    )
    return repeated.repeat_count(
        _overdose(alert.id, alert.national_id_hash, alert.occurred_at, alert.triage_action),
        (_overdose(*row) for row in rows.all()),
        window=window,
    )


def _overdose(
    alert_id: uuid.UUID, national_id_hash: str | None, occurred_at: datetime, triage: str | None
) -> repeated.Overdose:
    return repeated.Overdose(
        alert_id, national_id_hash, occurred_at, fatal=triage == TriageAction.FATAL
    )


async def mark_crisis(
    session: AsyncSession,
    case: FollowupCase,
    extra: list[plan.PlannedStep],
    *,
    window: timedelta,
    leader: Member | None,
    now: datetime,
    url: str,
) -> None:
    """Record the serious crisis and tell the leader (notify-only: the link, no person; not
    in the quiet hours of `deadlines`, like every follow-up SMS)."""
    repository.add_event(
        session,
        case_id=case.id,
        kind=CaseEventKind.SERIOUS_CRISIS,
        at=now,
        by=SYSTEM,
        outcome=f"{case.repeated_overdoses} ikke-dødelige overdoser innen {window.days} dager",
    )
    if leader is None or not roster_duty.reachable(leader) or not extra:
        return
    name = await roster_duty.get_municipality(session, case.municipality_code)
    link = texts.case_link(url, case.id)
    first = min(p.deadline for p in extra)
    language = spoken(leader.language, name.written_standard if name else None)
    try:
        body = texts.crisis_text(
            municipality_name=name.name if name else "",
            deadline=first,
            link=link,
            language=language,
        )
    except ValueError:  # a name that will not go: without it
        body = texts.crisis_text(municipality_name="", deadline=first, link=link, language=language)
    outbox.enqueue(
        session,
        [
            OutboxMessage(
                subject_kind=SUBJECT_KIND,
                subject_id=case.id,
                purpose=CRISIS_PURPOSE,
                context={"steps": [p.template.key for p in extra]},
                member_id=leader.id,
                to_number=leader.mobile,
                body=body,
                status=OutboxStatus.PENDING,
                due_at=deadlines.outside_quiet_hours(now),  # a case opened at night: at 08:00
                created_at=now,
            )
        ],
    )
