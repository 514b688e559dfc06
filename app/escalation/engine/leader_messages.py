"""The messages to the team's leader (or else the fallback number): a fatal alert, an urgent
objected one, a late one, an exhausted escalation; and a fatal alert to the municipality's
named fatal contact. Texts that cannot be rendered fall back as in :mod:`.messages`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.escalation.engine.messages import (
    MessagePurpose,
    StepContext,
    alert_message,
    text_or_plain,
)
from app.notify import texts
from app.notify.models import OutboxMessage


def messages_for_exhaustion(
    context: StepContext, *, fallback_number: str | None, now: datetime
) -> list[OutboxMessage]:
    """Nobody acknowledged after every step: tell the leader and page the fallback once more."""
    return _to_leader_and_fallback(
        context,
        texts.exhausted_text,
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
    return _to_the_leader(context, texts.late_text, MessagePurpose.LATE, fallback_number, now)


def messages_for_fatal(
    context: StepContext, *, fallback_number: str | None, now: datetime
) -> list[OutboxMessage]:
    """A fatal alert: the leader (with the link) is told, or else the fallback number; empty
    when the team has neither."""
    return _to_the_leader(context, texts.fatal_text, MessagePurpose.FATAL, fallback_number, now)


def messages_for_leader_urgent(
    context: StepContext, *, fallback_number: str | None, now: datetime
) -> list[OutboxMessage]:
    """An objected alert with suicide risk: the leader (with the link to the anonymous page)
    is told at once, or else the fallback number; empty when the team has neither. The SMS
    says it is urgent, never why (docs/rules.md, "Suicide risk")."""
    return _to_the_leader(
        context, texts.leader_urgent_text, MessagePurpose.LEADER_URGENT, fallback_number, now
    )


def messages_for_fatal_contact(
    context: StepContext, *, contact_number: str | None, now: datetime
) -> list[OutboxMessage]:
    """A fatal alert, to the municipality's named fatal contact (docs/rules.md, "The
    municipality's fatal contact"): in the municipality's written standard, without a link
    or a reply code; empty when the municipality names none."""
    if not contact_number:
        return []
    body = text_or_plain(
        context,
        texts.fatal_contact_text,
        purpose=MessagePurpose.FATAL_CONTACT,
        language=context.written_standard,
        link=None,
        team_name=context.team_name,
        municipality_name=context.municipality_name,
        occurred_at=context.occurred_at,
    )
    return [
        alert_message(
            alert_id=context.alert_id,
            to=contact_number,
            body=body,
            purpose=MessagePurpose.FATAL_CONTACT,
            now=now,
        )
    ]


def _to_the_leader(
    context: StepContext,
    compose: Callable[..., str],
    purpose: MessagePurpose,
    fallback_number: str | None,
    now: datetime,
) -> list[OutboxMessage]:
    leader = context.members.get(context.view.leader_id or "")
    return _to_leader_and_fallback(
        context,
        compose,
        purpose=purpose,
        fallback_number=None if leader is not None else fallback_number,
        now=now,
        leader_link=True,
    )


def _to_leader_and_fallback(
    context: StepContext,
    compose: Callable[..., str],
    *,
    purpose: MessagePurpose,
    fallback_number: str | None,
    now: datetime,
    leader_link: bool,
) -> list[OutboxMessage]:
    def body(language: texts.Language, link: str | None) -> str:
        return text_or_plain(
            context,
            compose,
            purpose=purpose,
            language=language,
            link=link,
            team_name=context.team_name,
            municipality_name=context.municipality_name,
            occurred_at=context.occurred_at,
            reply_code=context.reply_code,
        )

    messages = []
    leader = context.members.get(context.view.leader_id or "")
    if leader is not None:
        language = context.language_of(leader)
        messages.append(
            alert_message(
                alert_id=context.alert_id,
                to=leader.mobile,
                body=body(language, context.link_of(leader) if leader_link else None),
                purpose=purpose,
                now=now,
                member_id=leader.id,
            )
        )
    if fallback_number:
        messages.append(
            alert_message(
                alert_id=context.alert_id,
                to=fallback_number,
                body=body("nb", None),
                purpose=purpose,
                now=now,
            )
        )
    return messages
