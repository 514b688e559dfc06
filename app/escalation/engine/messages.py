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

from app.escalation.engine.models import EscalationState
from app.escalation.policy import rules
from app.i18n import spoken
from app.notify import outbox, texts
from app.notify.models import OutboxMessage
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
class TeamSnapshot:
    """A team as one round sees it: its policy and who is on duty at the round's instant."""

    policy: rules.Policy
    team_name: str
    municipality_name: str
    view: rules.TeamView
    members: dict[str, Member]
    """Active members by id (str)."""
    fatal_contact: str | None
    """The mobile of the municipality's named fatal contact, told with the leader."""
    written_standard: texts.Language = "nb"
    """The municipality's: the language of members who chose none, and of numbers that are
    nobody's (the fallback number, the fatal contact)."""


@dataclass(frozen=True)
class StepContext:
    """What a step's messages are written from: the escalation, its team as the round sees
    it, and how a member's link is minted."""

    state: EscalationState
    team: TeamSnapshot
    link_of: Callable[[Member], str]
    """Mints a link bound to this member and alert (a row in the caller's transaction)."""

    @property
    def leader(self) -> Member | None:
        return self.team.members.get(self.team.view.leader_id or "")

    def language_of(self, member: Member) -> texts.Language:
        """The member's own choice, else the municipality's written standard."""
        return spoken(member.language, self.team.written_standard)


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
    return outbox.new_message(
        subject_kind=SUBJECT_KIND,
        subject_id=alert_id,
        purpose=purpose,
        context={"pass": position.pass_index, "step": position.step_index} if position else {},
        member_id=member_id,
        to_number=to,
        body=body,
        now=now,
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
    """`compose(**arguments)` of the alert's municipality and time, or the plain text if it
    cannot be rendered."""
    try:
        return compose(
            municipality_name=context.team.municipality_name,
            occurred_at=context.state.occurred_at,
            **arguments,
            language=language,
            **({"link": link} if link else {}),
        )
    except Exception as exc:  # e.g. an instant the Oslo time cannot be shown for
        log.error(
            "sms text could not be rendered; sending the plain text",
            extra={
                "alert_id": str(context.state.alert_id),
                "purpose": purpose.value,
                "error_type": type(exc).__name__,
            },
        )
        return texts.plain_text(link=link, reply_code=context.state.reply_code, language=language)


def sms_about(
    context: StepContext,
    to: Member | str,
    compose: Callable[..., str],
    *,
    purpose: MessagePurpose,
    now: datetime,
    link: str | None = None,
    position: rules.Position | None = None,
    **arguments: Any,
) -> OutboxMessage:
    """An SMS about the context's alert, to a member (their number and language) or to a
    number that is nobody's (in the municipality's written standard): `compose`'s text, or
    the plain text (`text_or_plain`)."""
    language = context.team.written_standard
    if isinstance(to, str):
        number, member_id = to, None
    else:
        number, language, member_id = to.mobile, context.language_of(to), to.id
    return alert_message(
        alert_id=context.state.alert_id,
        to=number,
        body=text_or_plain(
            context, compose, purpose=purpose, language=language, link=link, **arguments
        ),
        purpose=purpose,
        now=now,
        member_id=member_id,
        position=position,
    )


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
    leader = context.leader
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
    page: texts.Page = (
        "reminder" if reminder else "ward" if context.state.first_contact_ward else "alert"
    )
    members = [context.team.members[member_id] for member_id in member_ids]
    return [
        sms_about(
            context,
            member,
            texts.page_text,
            purpose=purpose,
            now=now,
            link=context.link_of(member),
            position=position,
            page=page,
            reply_code=context.state.reply_code,
        )
        for member in members
    ]


def _fallback_page(
    context: StepContext, number: str, *, position: rules.Position, now: datetime
) -> OutboxMessage:
    """The fallback number's page: in the municipality's written standard, without a link
    (it is nobody's)."""
    return sms_about(
        context,
        number,
        texts.fallback_text,
        purpose=MessagePurpose.FALLBACK,
        now=now,
        position=position,
        team_name=context.team.team_name,
        reply_code=context.state.reply_code,
    )


def _roster_hole_note(
    context: StepContext, leader: Member, *, fallback_paged: bool, now: datetime
) -> OutboxMessage:
    """To the leader: nobody was on duty at a step that pages the on-duty person."""
    return sms_about(
        context,
        leader,
        texts.roster_hole_text,
        purpose=MessagePurpose.ROSTER_HOLE,
        now=now,
        team_name=context.team.team_name,
        fallback_paged=fallback_paged,
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
