"""The messages to the team's leader (or else the fallback number): a fatal alert, an urgent
objected one, a late one, an exhausted escalation; and a fatal alert to the municipality's
named fatal contact. Texts that cannot be rendered fall back as in :mod:`.messages`.
"""

from __future__ import annotations

from datetime import datetime

from app.escalation.engine.messages import MessagePurpose, StepContext, sms_about
from app.notify import texts
from app.notify.models import OutboxMessage
from app.roster.models import Member


def messages_for_exhaustion(
    context: StepContext, *, fallback_number: str | None, now: datetime
) -> list[OutboxMessage]:
    """Nobody acknowledged after every step: tell the leader and page the fallback once more."""
    return _to_leader_and_fallback(
        context,
        "exhausted",
        purpose=MessagePurpose.EXHAUSTED,
        fallback_number=fallback_number,
        now=now,
        leader_link=False,
    )


def messages_for_late(
    context: StepContext, *, fallback_number: str | None, now: datetime
) -> list[OutboxMessage]:
    """The alert came after the paging window: the leader (with the link) is told, or else the
    fallback number; empty when the team has neither."""
    return _to_the_leader(context, "late", MessagePurpose.LATE, fallback_number, now)


def messages_for_fatal(
    context: StepContext, *, fallback_number: str | None, now: datetime
) -> list[OutboxMessage]:
    """A fatal alert: the leader (with the link) is told, or else the fallback number; empty
    when the team has neither."""
    return _to_the_leader(context, "fatal", MessagePurpose.FATAL, fallback_number, now)


def messages_for_leader_urgent(
    context: StepContext, *, fallback_number: str | None, now: datetime
) -> list[OutboxMessage]:
    """An objected alert with suicide risk: the leader (with the link to the anonymous page)
    is told at once, or else the fallback number; empty when the team has neither. The SMS
    says it is urgent, never why (docs/rules.md, "Suicide risk")."""
    return _to_the_leader(context, "urgent", MessagePurpose.LEADER_URGENT, fallback_number, now)


def messages_for_fatal_contact(
    context: StepContext, *, contact_number: str | None, now: datetime
) -> list[OutboxMessage]:
    """A fatal alert, to the municipality's named fatal contact (docs/rules.md, "The
    municipality's fatal contact"): in the municipality's written standard, without a link
    or a reply code; empty when the municipality names none."""
    if not contact_number:
        return []
    return [
        sms_about(
            context,
            contact_number,
            texts.fatal_contact_text,
            purpose=MessagePurpose.FATAL_CONTACT,
            now=now,
            team_name=context.team.team_name,
        )
    ]


def _to_the_leader(
    context: StepContext,
    news: texts.LeaderNews,
    purpose: MessagePurpose,
    fallback_number: str | None,
    now: datetime,
) -> list[OutboxMessage]:
    leader = context.leader
    return _to_leader_and_fallback(
        context,
        news,
        purpose=purpose,
        fallback_number=None if leader is not None else fallback_number,
        now=now,
        leader_link=True,
    )


def _to_leader_and_fallback(
    context: StepContext,
    news: texts.LeaderNews,
    *,
    purpose: MessagePurpose,
    fallback_number: str | None,
    now: datetime,
    leader_link: bool,
) -> list[OutboxMessage]:
    def to(recipient: Member | str, link: str | None = None) -> OutboxMessage:
        return sms_about(
            context,
            recipient,
            texts.leader_text,
            purpose=purpose,
            now=now,
            link=link,
            news=news,
            team_name=context.team.team_name,
            reply_code=context.state.reply_code,
        )

    messages = []
    leader = context.leader
    if leader is not None:
        messages.append(to(leader, context.link_of(leader) if leader_link else None))
    if fallback_number:
        messages.append(to(fallback_number))
    return messages
