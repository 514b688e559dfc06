"""SMS replies from staff: "OK 2688" takes the alert, "OK 2688 20" answers "kommer, ca. 20 min"
too; STOP / START / HELP as Twilio requires.

Every reply gets a short answer (returned as TwiML by the webhook), except STOP and START:
for those Twilio sends its own confirmation and blocks or unblocks the number itself; we
record them on the member, who is off duty (a roster hole) until START. A code is only
valid from a number that was paged for that alert, and only as long as the links are; it
takes the alert only for whom `rules.taker_by_reply` allows (an active member paged for it and
still on the team, or the team's fallback number), anyone else is told so and changes nothing.

A signed request carries no time, so a captured one stays valid: each inbound MessageSid is
handled once (`app.once`), and a repeat is answered with nothing and changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import service as alerts_service
from app.alerts.enums import AckVia
from app.answers import service as answers_service
from app.answers.rules import (
    Answer,
    AnswerKind,
    PagedMember,
    Reply,
    ReplyKind,
    Taker,
    TakerKind,
    parse_reply,
    taker_by_reply,
)
from app.escalation import service as escalation_service
from app.escalation.engine import messages as escalation_messages
from app.escalation.engine.models import EscalationState, EscalationStatus
from app.escalation.policy import service as policy_service
from app.followup.cases import service as followup
from app.i18n import Words, clock, words
from app.notify import outbox
from app.notify.models import OutboxStatus
from app.once import first_use
from app.privacy.crypto import FieldCipher
from app.roster.models import Member
from app.roster.rota import duty as roster_duty

log = logging.getLogger(__name__)

PAGED_STATUSES = tuple(s for s in OutboxStatus if s is not OutboxStatus.CANCELLED)
"""A page counts as sent unless cancelled: a failed report can be wrong, and a pending page
may be a retry of one that did arrive."""

INBOUND_PURPOSE = "sms-inbound"
"""The `app.once` purpose of inbound SMS ids (Twilio's MessageSid)."""
REPLAY_WINDOW = timedelta(days=30)
"""How long an inbound MessageSid is remembered (at least as long as reply codes live).

Twilio signs the URL and the parameters but no time, so there is no signature window to
reuse: a captured request is valid for ever. 30 days outlive every reply code, so a replayed
OK changes nothing; a STOP replayed later still would stop the number again, as visible as
any STOP (the team's `stopped_sms`) and undone by START. The cost is one digest per staff SMS.
"""


async def handle_reply(
    session: AsyncSession,
    *,
    message_sid: str,
    from_number: str,
    body: str,
    now: datetime,
    link_lifetime: timedelta,
    cipher: FieldCipher,
    public_base_url: str,
) -> str | None:
    """What to answer the sender (None: nothing; Twilio answers STOP and START itself, and a
    message already handled gets nothing).

    `public_base_url` links the follow-up case that taking the alert opens."""
    until = now + max(REPLAY_WINDOW, link_lifetime)
    if not await first_use(session, purpose=INBOUND_PURPOSE, key=message_sid, until=until, now=now):
        log.warning("inbound sms seen before: replay or retry, ignored")
        return None
    reply = parse_reply(body)
    members = await roster_duty.members_with_mobile(session, from_number)
    phrases = words(await roster_duty.spoken_by(session, members[0]) if members else None)
    if reply.kind in (ReplyKind.STOP, ReplyKind.START):
        opted_out = reply.kind is ReplyKind.STOP
        await roster_duty.set_sms_opt_out(session, mobile=from_number, opted_out=opted_out, now=now)
        return None
    if reply.kind is ReplyKind.HELP:
        return phrases.gettext("sms.reply.help")
    if reply.kind is ReplyKind.UNKNOWN or reply.code is None:
        return phrases.gettext("sms.reply.unknown")
    state = await escalation_service.paged_with_code(
        session, reply_code=reply.code, number=from_number
    )
    if state is None:
        return phrases.gettext("sms.reply.no_code").format(code=reply.code)
    taker, member = await _taker(session, state, from_number)
    if taker.kind is TakerKind.NOBODY:
        # Before the alert's state: a removed member learns nothing of it, not even its taker.
        log.warning(
            "sms reply from a number that may not take the alert",
            extra={"alert_id": str(state.alert_id)},
        )
        return phrases.gettext("sms.reply.not_yours").format(code=reply.code)
    if now >= (state.notified_at or state.started_at) + link_lifetime:
        return phrases.gettext("sms.reply.expired").format(code=reply.code)
    if state.status == EscalationStatus.ACKNOWLEDGED:
        return await _taken_already(session, state, phrases)
    return await _take(
        session, state, member, reply, from_number, now, cipher, phrases, public_base_url
    )


async def _taker(
    session: AsyncSession, state: EscalationState, number: str
) -> tuple[Taker, Member | None]:
    """Who `number`'s reply takes the alert for (the rule's answer), and that member's row."""
    sent = await outbox.recipients_of(
        session,
        subject_kind=escalation_messages.SUBJECT_KIND,
        subject_id=state.alert_id,
        purposes=escalation_messages.PAGING_PURPOSES,
        statuses=PAGED_STATUSES,
    )
    paged_ids = [member_id for to, member_id in sent if to == number]
    members = await roster_duty.members_by_id(session, [m for m in paged_ids if m is not None])
    pages = [
        _paged(members[m]) if m is not None else None
        for m in paged_ids
        if m is None or m in members
    ]
    policy = await policy_service.load_policy(session, team_id=state.team_id)
    taker = taker_by_reply(
        number=number, team_id=state.team_id, pages=pages, fallback_number=policy.fallback_number
    )
    return taker, members.get(taker.member_id) if taker.member_id is not None else None


def _paged(member: Member) -> PagedMember:
    return PagedMember(
        id=member.id, team_id=member.team_id, mobile=member.mobile, active=member.active
    )


async def _taken_already(session: AsyncSession, state: EscalationState, phrases: Words) -> str:
    taker = None
    if state.acknowledged_by is not None:
        taker = (await roster_duty.members_by_id(session, [state.acknowledged_by])).get(
            state.acknowledged_by
        )
    who = taker.name if taker is not None else "reservenummeret"
    at = state.acknowledged_at or state.started_at
    taken_at = clock(at, phrases.language)
    return phrases.gettext("sms.reply.taken_by").format(who=who, t=taken_at)


async def _take(
    session: AsyncSession,
    state: EscalationState,
    member: Member | None,
    reply: Reply,
    from_number: str,
    now: datetime,
    cipher: FieldCipher,
    phrases: Words,
    public_base_url: str,
) -> str:
    taken = await alerts_service.acknowledge(
        session,
        alert_id=state.alert_id,
        member=member,
        via=AckVia.SMS,
        via_number=from_number,
        now=now,
        cipher=cipher,
    )
    if not taken:  # a colleague's tap won the race since the row was read
        return await _taken_already(session, state, phrases)  # reloaded by the attempt
    await followup.open_case_for_alert(
        session,
        alert_id=state.alert_id,
        taken_by=member.id if member is not None else None,
        now=now,
        cipher=cipher,
        public_base_url=public_base_url,
    )
    if reply.minutes is None:
        return phrases.gettext("sms.reply.taken")
    answer = Answer(AnswerKind.COMING, minutes=reply.minutes)
    crew = await answers_service.give_answer(
        session,
        alert_id=state.alert_id,
        member=member,
        answer=answer,
        via=AckVia.SMS,
        now=now,
        cipher=cipher,
    )
    return phrases.gettext("sms.reply.taken_answered").format(answer=crew.text)
