"""Which follow-up case a signed-in member may see, and the person's data on it.

Access is `rules.may_see` (tjenstlig behov, `app.followup.cases.access`): a case of the member's
municipality shows its steps; the person's data, and the steps' notes, only to the leader, to
those assigned to the case or one of its steps, and to those who were paged for its alert
(sent a link). What the data are is the consent rules' (`alerts.disclosure`), as on the link
page, for the member as the recipient they are; each showing writes one access-log entry in
the transaction that reads it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import disclosure
from app.alerts.details import AlertDetails
from app.audit.enums import ActorKind, Channel
from app.audit.service import Discloser
from app.auth.staff.identity import StaffIdentity
from app.auth.staff.rules import Access
from app.errors import NotFound
from app.followup.cases import access as followup_access
from app.followup.cases import views
from app.followup.cases.actor import Actor
from app.followup.cases.models import FollowupCase
from app.privacy.crypto import FieldCipher
from app.roster.rota import duty as roster_duty
from app.timeline.schemas import StaffRef
from app.web.service import recipient_of, staff_refs

DISCLOSURE_REASON = "Viste opplysningene i oppfølgingssaken (tjenstlig behov)"


@dataclass(frozen=True)
class VisibleCase:
    case: FollowupCase
    access: Access
    """`summary` or `personal` (a case the member may not see is never a VisibleCase)."""
    paged: tuple[uuid.UUID, ...]
    """Who was sent a link to the case's alert, in the order they were first sent one."""


@dataclass(frozen=True)
class CaseDetails:
    """What the case page shows of the person, and who was paged for the alert."""

    details: AlertDetails
    alerted: list[StaffRef] = field(default_factory=list)


async def visible_case(
    session: AsyncSession, staff: StaffIdentity, case_id: str
) -> VisibleCase | None:
    """The case and the member's access to it; None for an unknown id or another
    municipality's case (answered alike)."""
    try:
        case = await views.find_case(session, uuid.UUID(case_id), Actor.staff(staff))
    except (ValueError, NotFound):
        return None
    steps = (await views.steps_by_case(session, [case.id])).get(case.id, [])
    seen = await followup_access.staff_access(session, staff.view, case, steps)
    return VisibleCase(case, seen.access, seen.paged) if seen.access.sees_case else None


async def disclose(
    session: AsyncSession,
    staff: StaffIdentity,
    visible: VisibleCase,
    *,
    now: datetime,
    cipher: FieldCipher,
) -> CaseDetails | None:
    """The person's data for the member (one access-log entry); None without the access."""
    if not visible.access.sees_personal_data:
        return None
    member = (await roster_duty.members_by_id(session, [staff.member_id]))[staff.member_id]
    team = await roster_duty.get_team(session, team_id=member.team_id)
    details = await disclosure.disclose_alert(
        session,
        alert_id=visible.case.alert_id,
        recipient=recipient_of(member, team),
        actor=Discloser(ActorKind.STAFF, str(member.id), Channel.PAGE),
        reason=DISCLOSURE_REASON,
        now=now,
        cipher=cipher,
    )
    return CaseDetails(details=details, alerted=await staff_refs(session, visible.paged))
