"""Turns "who is reached at this step" into outbox rows with the right Norwegian text.

Every message names its alert as its subject; messages of a step carry the step's position
in their context, so a failed one can move that step on (`outcomes.py`). A text that cannot
be rendered (a name or an instant the texts refuse) is replaced by the plain text and
logged: one bad row never stops paging.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.escalation.policy import rules
from app.i18n import spoken
from app.notify import texts
from app.notify.models import OutboxMessage, OutboxStatus
from app.roster.models import Member

log = logging.getLogger(__name__)

SUBJECT_KIND = "alert"
"""The outbox subject kind of every escalation message; its subject id is the alert's id."""


class MessagePurpose(StrEnum):
    ALERT = "alert"
    REMINDER = "reminder"
    FALLBACK = "fallback"
    ROSTER_HOLE = "roster_hole"
    EXHAUSTED = "exhausted"
    LATE = "late"
    FATAL = "fatal"
    """A fatal alert, to the leader instead of the on-duty team."""
    LEADER_URGENT = "leader_urgent"
    """An objected alert with suicide risk, to the leader at once, without identity."""
    FATAL_CONTACT = "fatal_contact"
    """A fatal alert, to the municipality's named fatal contact with the leader."""
    TAKEN = "taken"
    """To the others paged: someone took the alert, nothing more to do."""
    CREW_ANSWER = "crew_answer"
    """To the reporter's call-back number: the answer of whoever took the alert."""


PAGING_PURPOSES = (MessagePurpose.ALERT, MessagePurpose.REMINDER, MessagePurpose.FALLBACK)
"""Messages that page someone to act; unsent ones are cancelled on acknowledgement."""


@dataclass(frozen=True)
class StepContext:
    alert_id: uuid.UUID
    team_name: str
    municipality_name: str
    occurred_at: datetime
    reply_code: str
    link_of: Callable[[Member], str]
    """Mints a link bound to this member and alert (a row in the caller's transaction)."""
    view: rules.TeamView
    members: dict[str, Member]
    """Active members by id (str)."""
    first_contact_ward: bool = False
    """The person is admitted: the first page says to agree with the ward first."""
    written_standard: texts.Language = "nb"
    """The municipality's: the language of members who chose none, and of numbers that are
    nobody's (the fallback number, the fatal contact)."""

    def language_of(self, member: Member) -> texts.Language:
        """The member's own choice, else the municipality's written standard."""
        return spoken(member.language, self.written_standard)


def position_of(context: dict[str, object]) -> rules.Position | None:
    """The step a message was written for, from its outbox context."""
    pass_index, step_index = context.get("pass"), context.get("step")
    if isinstance(pass_index, int) and isinstance(step_index, int):
        return rules.Position(pass_index, step_index)
    return None


def alert_message(
    *,
    alert_id: uuid.UUID,
    to: str,
    body: str,
    purpose: str,
    now: datetime,
    member_id: uuid.UUID | None = None,
    position: rules.Position | None = None,
) -> OutboxMessage:
    """An SMS about the alert, due now; `position` for a step's page (a failure moves it on)."""
    return OutboxMessage(
        subject_kind=SUBJECT_KIND,
        subject_id=alert_id,
        purpose=purpose,
        context={"pass": position.pass_index, "step": position.step_index} if position else {},
        member_id=member_id,
        to_number=to,
        body=body,
        status=OutboxStatus.PENDING,
        due_at=now,
        created_at=now,
    )


def text_or_plain(
    context: StepContext,
    compose: Callable[..., str],
    *,
    purpose: MessagePurpose,
    language: texts.Language,
    link: str | None,
    **arguments: Any,
) -> str:
    """`compose(**arguments)`, or the plain text if it cannot be rendered."""
    try:
        return compose(**arguments, language=language, **({"link": link} if link else {}))
    except Exception as exc:  # e.g. an instant the Oslo time cannot be shown for
        log.error(
            "sms text could not be rendered; sending the plain text",
            extra={
                "alert_id": str(context.alert_id),
                "purpose": purpose.value,
                "error_type": type(exc).__name__,
            },
        )
        return texts.plain_text(link=link, reply_code=context.reply_code, language=language)


def messages_for_step(
    context: StepContext,
    recipients: rules.Recipients,
    *,
    position: rules.Position,
    report_hole: bool,
    now: datetime,
) -> list[OutboxMessage]:
    """The SMS of one step: a page to each member it reaches, the fallback number's page, and
    the leader told of a hole in the roster (`report_hole`: once per escalation)."""
    messages = _member_pages(context, recipients.member_ids, position=position, now=now)
    if recipients.fallback_number:
        messages.append(
            _fallback_page(context, recipients.fallback_number, position=position, now=now)
        )
    leader = context.members.get(context.view.leader_id or "")
    if report_hole and leader is not None:
        fallback_paged = recipients.fallback_number is not None
        messages.append(_roster_hole_note(context, leader, fallback_paged=fallback_paged, now=now))
    return messages


def _member_pages(
    context: StepContext,
    member_ids: Sequence[str],
    *,
    position: rules.Position,
    now: datetime,
) -> list[OutboxMessage]:
    """Each member's page with their own link: the alert on the first pass, a reminder on the
    later ones (the ward's text when the person is admitted)."""
    reminder = position.pass_index > 0
    purpose = MessagePurpose.REMINDER if reminder else MessagePurpose.ALERT
    compose = (
        texts.reminder_text
        if reminder
        else texts.alert_ward_text
        if context.first_contact_ward
        else texts.alert_text
    )
    messages = []
    for member_id in member_ids:
        member = context.members[member_id]
        body = text_or_plain(
            context,
            compose,
            purpose=purpose,
            language=context.language_of(member),
            link=context.link_of(member),
            municipality_name=context.municipality_name,
            occurred_at=context.occurred_at,
            reply_code=context.reply_code,
        )
        messages.append(
            alert_message(
                alert_id=context.alert_id,
                to=member.mobile,
                body=body,
                purpose=purpose,
                now=now,
                member_id=member.id,
                position=position,
            )
        )
    return messages


def _fallback_page(
    context: StepContext, number: str, *, position: rules.Position, now: datetime
) -> OutboxMessage:
    """The fallback number's page: in the municipality's written standard, without a link
    (it is nobody's)."""
    body = text_or_plain(
        context,
        texts.fallback_text,
        purpose=MessagePurpose.FALLBACK,
        language=context.written_standard,
        link=None,
        team_name=context.team_name,
        municipality_name=context.municipality_name,
        occurred_at=context.occurred_at,
        reply_code=context.reply_code,
    )
    return alert_message(
        alert_id=context.alert_id,
        to=number,
        body=body,
        purpose=MessagePurpose.FALLBACK,
        now=now,
        position=position,
    )


def _roster_hole_note(
    context: StepContext, leader: Member, *, fallback_paged: bool, now: datetime
) -> OutboxMessage:
    """To the leader: nobody was on duty at a step that pages the on-duty person."""
    body = text_or_plain(
        context,
        texts.roster_hole_text,
        purpose=MessagePurpose.ROSTER_HOLE,
        language=context.language_of(leader),
        link=None,
        team_name=context.team_name,
        municipality_name=context.municipality_name,
        occurred_at=context.occurred_at,
        fallback_paged=fallback_paged,
    )
    return alert_message(
        alert_id=context.alert_id,
        to=leader.mobile,
        body=body,
        purpose=MessagePurpose.ROSTER_HOLE,
        now=now,
        member_id=leader.id,
    )


def messages_for_taken(
    *,
    alert_id: uuid.UUID,
    municipality_name: str,
    occurred_at: datetime,
    taken_by: str,
    recipients: list[tuple[str, texts.Language, uuid.UUID | None]],
    now: datetime,
) -> list[OutboxMessage]:
    """To everyone else paged for the alert (number, language, member id): it is taken."""
    messages = []
    for number, language, member_id in recipients:
        try:
            body = texts.taken_text(
                municipality_name=municipality_name,
                occurred_at=occurred_at,
                taken_by=taken_by,
                language=language,
            )
        except ValueError:  # a time the texts refuse: still tell them, plainly
            body = texts.taken_plain_text(language=language)
        messages.append(
            alert_message(
                alert_id=alert_id,
                to=number,
                body=body,
                purpose=MessagePurpose.TAKEN,
                now=now,
                member_id=member_id,
            )
        )
    return messages
