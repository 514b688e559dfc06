"""The deadlines engine: reminds owners before a step's deadline and tells the leader once it
has passed, each once, through the outbox.

Timers are rows (`followup_step.next_due_at`), claimed with FOR UPDATE SKIP LOCKED, so a
restart or a second worker loses nothing and tells nothing twice. What is due is decided by
the pure `deadlines.due_notices`; this module applies it, and writes the SMS in the same
transaction as the marks that they were sent. Nothing goes in quiet hours (22:00-08:00 Oslo
time, `deadlines`): the rows' reminder times are planned around them, an overdue notice of a
night deadline is due at 08:00, and a round that runs at night only moves its rows there.
Steps of one case due in the same round make one SMS per person. A case that cannot be
handled is rolled back to its savepoint and retried a minute later; it never holds up the
others.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.db import isolated
from app.engine_base import SettingsEngine
from app.followup import deadlines, texts
from app.followup.cases import opening, repository
from app.followup.cases.models import SUBJECT_KIND, CaseEventKind, FollowupCase, FollowupStep
from app.followup.state import CaseState
from app.i18n import Language, language_of, spoken
from app.notify import outbox
from app.notify.models import OutboxMessage, OutboxStatus
from app.roster.models import Member
from app.roster.rota import duty as roster_duty

log = logging.getLogger(__name__)

RETRY_LATER = timedelta(minutes=1)


class MessagePurpose(StrEnum):
    REMINDER = "followup_reminder"
    """To a step's owner and companion before its deadline."""
    OVERDUE = "followup_overdue"
    """To the leader: a deadline passed with the step not recorded."""


class FollowupEngine(SettingsEngine):
    """The worker's follow-up engine (`app.worker.Engine`), in its own lane, woken with paging."""

    name = "followup"

    def due(self, now: datetime) -> ColumnElement[bool]:
        since = now - opening.LOOK_BACK
        return repository.any_due(opening.OPENED_WITHOUT_TAKING, since=since, now=now)

    async def run_once(self, now: datetime) -> int:
        """Open the cases no tap opens (`opening`), then tell what is due on up to
        `batch_size` steps; how much there was."""
        limit = self._settings.worker.batch_size
        async with self._sessions() as session, session.begin():
            opened = await opening.open_untaken(
                session,
                now=now,
                cipher=self._cipher,
                public_base_url=self._settings.http.public_base_url,
                limit=limit,
            )
        async with self._sessions() as session, session.begin():
            return opened + await advance_due(session, now=now, settings=self._settings)


async def advance_due(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """Send the reminders and overdue notices due at `now`, in the caller's transaction."""
    due = await repository.claim_due(session, now=now, limit=settings.worker.batch_size)
    if not due:
        return 0
    by_case: dict[uuid.UUID, list[FollowupStep]] = {}
    for step in due:
        by_case.setdefault(step.case_id, []).append(step)
    cases = await repository.cases_by_id(session, list(by_case))
    round_ = _Round(session=session, now=now, base_url=settings.http.public_base_url)
    await round_.load_members(m for s in due for m in (s.owner_member_id, s.companion_member_id))
    for case_id, steps in by_case.items():
        step_ids = [s.id for s in steps]  # read before a rollback can expire them
        failure = "follow-up deadline not told; retrying later"
        async with isolated(session, log, failure, case_id=str(case_id)) as told:
            await _tell(round_, cases.get(case_id), steps)
        if told.failed:
            await repository.postpone(session, step_ids=step_ids, until=now + RETRY_LATER)
    await outbox.wake_workers(session)
    return len(due)


@dataclass
class _Round:
    """What one round reads once: leaders, members, municipality names."""

    session: AsyncSession
    now: datetime
    base_url: str
    _leaders: dict[uuid.UUID, uuid.UUID | None] = field(default_factory=dict)
    _members: dict[uuid.UUID, Member | None] = field(default_factory=dict)
    _names: dict[str, tuple[str, Language]] = field(default_factory=dict)
    """By code: the municipality's name and written standard."""

    async def load_members(self, member_ids: Iterable[uuid.UUID | None]) -> None:
        """Read the members not read yet in one query (the owners and companions of the
        round's steps), rather than one by one."""
        wanted = sorted({i for i in member_ids if i is not None and i not in self._members})
        found = await roster_duty.members_by_id(self.session, wanted)
        self._members.update({i: found.get(i) for i in wanted})

    async def member(self, member_id: uuid.UUID | None) -> Member | None:
        """The member, if they can get an SMS (active, not opted out)."""
        if member_id is None:
            return None
        if member_id not in self._members:
            found = await roster_duty.members_by_id(self.session, [member_id])
            self._members[member_id] = found.get(member_id)
        member = self._members[member_id]
        return member if member is not None and roster_duty.reachable(member) else None

    async def leader(self, team_id: uuid.UUID | None) -> Member | None:
        if team_id is None:
            return None
        if team_id not in self._leaders:
            team = await roster_duty.get_team(self.session, team_id=team_id)
            self._leaders[team_id] = team.leader_member_id if team else None
        return await self.member(self._leaders[team_id])

    async def municipality(self, code: str) -> tuple[str, Language]:
        """The municipality's name and written standard."""
        if code not in self._names:
            municipality = await roster_duty.get_municipality(self.session, code)
            self._names[code] = (
                municipality.name if municipality else code,
                language_of(municipality.written_standard if municipality else None),
            )
        return self._names[code]


@dataclass
class _Notice:
    member: Member
    purpose: MessagePurpose
    deadline: datetime
    steps: list[str]


async def _tell(round_: _Round, case: FollowupCase | None, steps: list[FollowupStep]) -> None:
    now = round_.now
    if case is None or case.state != CaseState.OPEN:
        for step in steps:  # a closed case tells nothing (closing stops its timers)
            step.next_due_at = None
        return
    notices: dict[tuple[uuid.UUID, MessagePurpose], _Notice] = {}

    def add(member: Member, purpose: MessagePurpose, step: FollowupStep) -> None:
        notice = notices.setdefault(
            (member.id, purpose), _Notice(member, purpose, step.deadline, [])
        )
        notice.deadline = min(notice.deadline, step.deadline)
        notice.steps.append(step.key)

    leader = await round_.leader(case.team_id)
    for step in steps:
        due = deadlines.due_notices(_timer(step), now=now)
        step.next_due_at = due.next_due_at
        people = [
            m
            for m in (
                await round_.member(step.owner_member_id),
                await round_.member(step.companion_member_id),
            )
            if m is not None
        ]
        if due.remind:
            step.reminded_at = now
            for member in people or ([leader] if leader else []):
                add(member, MessagePurpose.REMINDER, step)
            _event(round_, case, step, CaseEventKind.REMINDED)
        if due.overdue:
            step.overdue_told_at = now
            for member in [leader] if leader else people:
                add(member, MessagePurpose.OVERDUE, step)
            _event(round_, case, step, CaseEventKind.OVERDUE_TOLD)
        if (due.remind or due.overdue) and not people and leader is None:
            log.error("nobody to tell of a follow-up deadline", extra={"case_id": str(case.id)})
    if notices:
        name, standard = await round_.municipality(case.municipality_code)
        link = texts.case_link(round_.base_url, case.id)
        outbox.enqueue(
            round_.session,
            [
                _message(case, n, name=name, standard=standard, link=link, now=now)
                for n in notices.values()
            ],
        )


def _timer(step: FollowupStep) -> deadlines.Timer:
    return deadlines.Timer(
        deadline=step.deadline,
        remind_at=step.remind_at,
        reminded=step.reminded_at is not None,
        overdue_told=step.overdue_told_at is not None,
    )


def _event(round_: _Round, case: FollowupCase, step: FollowupStep, kind: CaseEventKind) -> None:
    repository.add_event(
        round_.session,
        case_id=case.id,
        kind=kind,
        at=round_.now,
        step_key=step.key,
        deadline=step.deadline,
    )


def _message(
    case: FollowupCase,
    notice: _Notice,
    *,
    name: str,
    standard: Language,
    link: str,
    now: datetime,
) -> OutboxMessage:
    language = spoken(notice.member.language, standard)
    render = (
        texts.reminder_text if notice.purpose is MessagePurpose.REMINDER else texts.overdue_text
    )
    try:
        body = render(
            municipality_name=name, deadline=notice.deadline, link=link, language=language
        )
    except ValueError:  # a name that will not go: without it
        body = render(municipality_name="", deadline=notice.deadline, link=link, language=language)
    return OutboxMessage(
        subject_kind=SUBJECT_KIND,
        subject_id=case.id,
        purpose=notice.purpose.value,
        context={"steps": notice.steps},
        member_id=notice.member.id,
        to_number=notice.member.mobile,
        body=body,
        status=OutboxStatus.PENDING,
        due_at=now,
        created_at=now,
    )
