"""What the link pages show and do, on top of the alerts, answers and links services.

`open_link` never changes anything (GET and HEAD); `take`, `answer` and `disclose` are the
POST use cases. Personal data is read only through `app.alerts.disclosure`, which logs it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import disclosure
from app.alerts import repository as alerts_repository
from app.alerts import service as alerts_service
from app.alerts.details import AlertDetails
from app.alerts.enums import AckVia
from app.alerts.models import Alert
from app.answers import service as answers_service
from app.answers.rules import Answer
from app.answers.schemas import AnswerOptions
from app.audit.enums import ActorKind, Channel
from app.audit.service import Discloser
from app.auth.links import service as member_links
from app.auth.links.models import RecipientLink
from app.auth.links.service import LinkState
from app.consent.enums import Recipient
from app.escalation import service as escalation_service
from app.escalation.engine.models import EscalationStatus
from app.followup.cases import service as followup
from app.i18n import Language, spoken
from app.privacy.crypto import FieldCipher
from app.roster.models import Member, Team
from app.roster.rota import duty as roster_duty
from app.timeline import service as timeline
from app.timeline.models import AlertEventKind
from app.timeline.schemas import CrewAnswer, StaffRef

DISCLOSURE_REASON = "Tok varselet via lenken i SMS (oppfølging etter overdose)"


@dataclass
class LinkPage:
    """Everything a link page shows; `details` only after the member took the alert."""

    member: Member
    link: RecipientLink
    alert: Alert
    municipality_name: str
    team: Team | None
    language: Language = "nb"
    """The member's own choice, else the municipality's written standard."""
    taken: bool = False
    taken_by: StaffRef | None = None
    taken_by_me: bool = False
    taken_at: datetime | None = None
    details: AlertDetails | None = None
    alerted: list[StaffRef] = field(default_factory=list)
    options: AnswerOptions | None = None
    answers: list[tuple[datetime, CrewAnswer]] = field(default_factory=list)


async def open_link(
    session: AsyncSession, *, token: str, now: datetime
) -> LinkPage | LinkState | None:
    """The page of a link: None for an unknown token, a LinkState for a dead one."""
    resolved = await member_links.resolve(session, token=token, now=now)
    if resolved is None:
        return None
    member = (await roster_duty.members_by_id(session, [resolved.link.member_id]))[
        resolved.link.member_id
    ]
    state = resolved.state if member.active else LinkState.REVOKED
    if state is not LinkState.VALID:
        return state
    alert = await alerts_repository.get_by_id(session, alert_id=resolved.link.alert_id)
    assert alert is not None  # foreign key; alerts are never deleted
    municipality = await roster_duty.get_municipality(session, alert.municipality_code)
    page = LinkPage(
        member=member,
        link=resolved.link,
        alert=alert,
        municipality_name=municipality.name if municipality else alert.municipality_code,
        team=await roster_duty.get_team(session, team_id=member.team_id),
        language=spoken(member.language, municipality.written_standard if municipality else None),
    )
    escalation = await escalation_service.status_of(session, alert_id=alert.id)
    if escalation is not None and escalation.status == EscalationStatus.ACKNOWLEDGED:
        page.taken = True
        page.taken_at = escalation.acknowledged_at
        page.taken_by_me = escalation.acknowledged_by == member.id
        events = await timeline.timeline(session, alert_id=alert.id)
        taken = next((e for e in events if e.kind is AlertEventKind.ACKNOWLEDGED), None)
        page.taken_by = taken.by if taken else None
        page.answers = [(e.at, e.answer) for e in events if e.answer is not None]
    return page


async def with_details(
    session: AsyncSession, page: LinkPage, *, now: datetime, cipher: FieldCipher
) -> LinkPage:
    """Add what the member may see (one access-log entry), who else was alerted, and the
    answer options. Only for the member who took the alert."""
    if not page.taken_by_me:
        return page
    page.details = await disclosure.disclose_alert(
        session,
        alert_id=page.alert.id,
        recipient=recipient_of(page.member, page.team),
        actor=Discloser(ActorKind.STAFF, str(page.member.id), Channel.PAGE),
        reason=DISCLOSURE_REASON,
        now=now,
        cipher=cipher,
    )
    page.alerted = await staff_refs(
        session, await member_links.members_linked(session, alert_id=page.alert.id)
    )
    page.options = await answers_service.options_for(
        session, municipality_code=page.alert.municipality_code
    )
    return page


async def staff_refs(session: AsyncSession, member_ids: Sequence[uuid.UUID]) -> list[StaffRef]:
    """The members as colleagues see them, in the order given (who was alerted)."""
    members = await roster_duty.members_by_id(session, member_ids)
    return [await alerts_service.staff_ref(session, members[m]) for m in member_ids]


def recipient_of(member: Member, team: Team | None) -> Recipient:
    """The consent rules' recipient a member is: the leader, health personnel, or
    cooperating personnel."""
    if team is not None and team.leader_member_id == member.id:
        return Recipient.TEAM_LEADER
    return Recipient.ON_DUTY_HEALTH if member.is_health_personnel else Recipient.TEAM_COOPERATING


async def take(
    session: AsyncSession,
    *,
    page: LinkPage,
    now: datetime,
    cipher: FieldCipher,
    public_base_url: str,
) -> bool:
    """Take the alert for the link's member and open its follow-up case; False if someone
    took it first."""
    taken = await alerts_service.acknowledge(
        session,
        alert_id=page.alert.id,
        member=page.member,
        via=AckVia.LINK,
        now=now,
        cipher=cipher,
    )
    if taken:
        await followup.open_case_for_alert(
            session,
            alert_id=page.alert.id,
            taken_by=page.member.id,
            now=now,
            cipher=cipher,
            public_base_url=public_base_url,
        )
    return taken


async def answer(
    session: AsyncSession, *, page: LinkPage, answer: Answer, now: datetime, cipher: FieldCipher
) -> CrewAnswer:
    return await answers_service.give_answer(
        session,
        alert_id=page.alert.id,
        member=page.member,
        answer=answer,
        via=AckVia.LINK,
        now=now,
        cipher=cipher,
    )
