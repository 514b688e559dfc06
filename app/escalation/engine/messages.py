"""Turns "who is reached at this step" into outbox rows with the right Norwegian text."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from app.escalation.policy import rules
from app.notify import texts
from app.notify.models import MessagePurpose, OutboxMessage, OutboxStatus
from app.roster.models import Member


@dataclass(frozen=True)
class StepContext:
    alert_id: uuid.UUID
    team_name: str
    municipality_name: str
    occurred_at: datetime
    reply_code: str
    view: rules.TeamView
    members: dict[str, Member]
    """Active members by id (str)."""


def _message(
    context: StepContext,
    *,
    to: str,
    body: str,
    purpose: MessagePurpose,
    now: datetime,
    member_id: uuid.UUID | None = None,
    position: rules.Position | None = None,
) -> OutboxMessage:
    return OutboxMessage(
        alert_id=context.alert_id,
        member_id=member_id,
        to_number=to,
        body=body,
        purpose=purpose,
        pass_index=position.pass_index if position else None,
        step_index=position.step_index if position else None,
        status=OutboxStatus.PENDING,
        due_at=now,
        created_at=now,
    )


def _language(member: Member) -> texts.Language:
    return "en" if member.language == "en" else "nb"


def messages_for_step(
    context: StepContext,
    recipients: rules.Recipients,
    *,
    position: rules.Position,
    link: str,
    report_hole: bool,
    now: datetime,
) -> list[OutboxMessage]:
    reminder = position.pass_index > 0
    purpose = MessagePurpose.REMINDER if reminder else MessagePurpose.ALERT
    compose = texts.reminder_text if reminder else texts.alert_text
    messages = []
    for member_id in recipients.member_ids:
        member = context.members[member_id]
        body = compose(
            municipality_name=context.municipality_name,
            occurred_at=context.occurred_at,
            reply_code=context.reply_code,
            link=link,
            language=_language(member),
        )
        messages.append(
            _message(
                context,
                to=member.mobile,
                body=body,
                purpose=purpose,
                now=now,
                member_id=member.id,
                position=position,
            )
        )
    if recipients.fallback_number:
        body = texts.fallback_text(
            team_name=context.team_name,
            municipality_name=context.municipality_name,
            occurred_at=context.occurred_at,
            reply_code=context.reply_code,
        )
        messages.append(
            _message(
                context,
                to=recipients.fallback_number,
                body=body,
                purpose=MessagePurpose.FALLBACK,
                now=now,
                position=position,
            )
        )
    leader = context.members.get(context.view.leader_id or "")
    if report_hole and leader is not None:
        body = texts.roster_hole_text(
            team_name=context.team_name,
            municipality_name=context.municipality_name,
            occurred_at=context.occurred_at,
            fallback_paged=recipients.fallback_number is not None,
            language=_language(leader),
        )
        messages.append(
            _message(
                context,
                to=leader.mobile,
                body=body,
                purpose=MessagePurpose.ROSTER_HOLE,
                now=now,
                member_id=leader.id,
            )
        )
    return messages


def messages_for_exhaustion(
    context: StepContext, *, fallback_number: str | None, now: datetime
) -> list[OutboxMessage]:
    """Nobody acknowledged after every step: tell the leader and page the fallback once more."""

    def body(language: texts.Language) -> str:
        return texts.exhausted_text(
            team_name=context.team_name,
            municipality_name=context.municipality_name,
            occurred_at=context.occurred_at,
            reply_code=context.reply_code,
            language=language,
        )

    messages = []
    leader = context.members.get(context.view.leader_id or "")
    if leader is not None:
        messages.append(
            _message(
                context,
                to=leader.mobile,
                body=body(_language(leader)),
                purpose=MessagePurpose.EXHAUSTED,
                now=now,
                member_id=leader.id,
            )
        )
    if fallback_number:
        messages.append(
            _message(
                context,
                to=fallback_number,
                body=body("nb"),
                purpose=MessagePurpose.EXHAUSTED,
                now=now,
            )
        )
    return messages
