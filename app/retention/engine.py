"""The worker's retention engine, and one purge pass (also `odvarsel retention run`).

A pass goes through each municipality's due alerts (closed cases, then alerts without a case),
then its open cases that reached the age (flagged, their leader told once), then the
housekeeping categories; each in batches of `RETENTION__BATCH_SIZE`, each batch its own short
transaction, so a crash leaves every row purged or not and the next pass goes on. The claim
queries lock what they take (`repository`); the pure `rules.alert_decision` decides each
alert; the anonymous statistics facts of the alerts are frozen (`refresh_facts`) in the same
transaction right before their identity goes. Each batch writes its count to `retention_run`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.config.sections import RetentionSettings
from app.engine_base import SettingsEngine
from app.followup import texts
from app.followup.cases.models import SUBJECT_KIND as CASE_MESSAGES
from app.followup.cases.models import FollowupCase
from app.i18n import language_of, spoken
from app.notify import outbox
from app.notify.models import OutboxMessage, OutboxStatus
from app.privacy.crypto import FieldCipher
from app.retention import purge, repository, rules
from app.retention.rules import Category, Decision
from app.roster.rota import duty as roster_duty
from app.statistics.facts import refresh_facts

log = logging.getLogger(__name__)

FLAG_PURPOSE = "retention_flag"
"""The outbox purpose of the SMS telling a leader of a case that reached the retention age."""

Claim = Callable[..., Awaitable[list[repository.Candidate]]]


class RetentionEngine(SettingsEngine):
    """The worker's "retention" engine (`app.worker.Engine`), in a lane of its own; runs a pass
    at most every `RETENTION__INTERVAL_MINUTES`."""

    name = "retention"

    _last_run: datetime | None = None
    """When the last pass ran (this process)."""

    async def run_once(self, now: datetime) -> int:
        """A pass when one is due; the SMS it wrote (leaders told of open cases).

        A pass drains what is due, batch by batch, so what it purged leaves no work for
        another round of any engine: only its SMS do (the dispatcher sends them), and only they
        count as work for the worker's loop and `run_until_idle`. What it purged is logged
        (counts per category) and kept in `retention_run`."""
        interval = timedelta(minutes=self._settings.retention.interval_minutes)
        if not rules.engine_due(self._last_run, interval, now):
            return 0
        self._last_run = now
        done = await run_pass(self._sessions, settings=self._settings, cipher=self._cipher, now=now)
        if any(done.values()):
            log.info("retention pass", extra={f"purged_{c.value}": n for c, n in done.items() if n})
        return done[Category.FLAGGED]


async def run_pass(
    sessions: async_sessionmaker[AsyncSession],
    *,
    settings: Settings,
    cipher: FieldCipher,
    now: datetime,
) -> Counter[Category]:
    """Everything due at `now`, batch by batch; how many rows of each category."""
    policy = settings.retention
    done: Counter[Category] = Counter()
    async with sessions() as session:
        municipalities = await repository.municipalities(session)
    for code, days in municipalities:
        case_period = rules.case_period(days, policy.case_days)
        alert_period = timedelta(days=policy.alert_days)
        periods = {"case_period": case_period, "alert_period": alert_period}
        for category, claim, period in (
            (Category.CASE, repository.claim_closed, case_period),
            (Category.ALERT, repository.claim_caseless, alert_period),
        ):
            by = rules.cutoff(now, period)
            while True:
                async with sessions() as session, session.begin():
                    found, purged = await _purge_batch(
                        session, claim, code, by, policy, periods, cipher=cipher, now=now
                    )
                    repository.log_run(session, category, purged, now=now, municipality_code=code)
                done[category] += purged
                if found < policy.batch_size or not purged:
                    break
        done[Category.FLAGGED] += await _flag(
            sessions, code, case_period, settings=settings, now=now
        )
    await _housekeeping(sessions, policy, done, now=now)
    return done


async def _purge_batch(
    session: AsyncSession,
    claim: Claim,
    code: str,
    by: datetime,
    policy: RetentionSettings,
    periods: dict[str, timedelta],
    *,
    cipher: FieldCipher,
    now: datetime,
) -> tuple[int, int]:
    """One batch: claim, decide, freeze the facts, purge; (claimed, purged)."""
    candidates = await claim(session, municipality_code=code, by=by, limit=policy.batch_size)
    due = [
        c.alert_id
        for c in candidates
        if rules.alert_decision(
            received_at=c.received_at, case=c.case, purged=c.purged, now=now, **periods
        )
        is Decision.PURGE
    ]
    if not due:
        return len(candidates), 0
    await refresh_facts(session, due, cipher=cipher, freeze=True, now=now)
    purged = await purge.purge_alerts(session, due, now=now)
    return len(candidates), len(purged)


async def _flag(
    sessions: async_sessionmaker[AsyncSession],
    code: str,
    period: timedelta,
    *,
    settings: Settings,
    now: datetime,
) -> int:
    """Flag the municipality's open cases that reached the age, each once, telling its leader."""
    flagged = 0
    limit = settings.retention.batch_size
    while True:
        async with sessions() as session, session.begin():
            found = await repository.claim_open_to_flag(
                session, municipality_code=code, opened_by=rules.cutoff(now, period), limit=limit
            )
            marked = 0
            for case, c in found:
                decision = rules.alert_decision(
                    received_at=c.received_at,
                    case=c.case,
                    purged=c.purged,
                    case_period=period,
                    alert_period=timedelta(days=settings.retention.alert_days),
                    now=now,
                )
                if decision is Decision.FLAG and await repository.mark_flagged(
                    session, case.id, now=now
                ):
                    marked += 1
                    await _tell_leader(session, case, settings=settings, now=now)
            repository.log_run(session, Category.FLAGGED, marked, now=now, municipality_code=code)
        flagged += marked
        if len(found) < limit or not marked:
            return flagged


async def _tell_leader(
    session: AsyncSession, case: FollowupCase, *, settings: Settings, now: datetime
) -> None:
    """An SMS to the case's team leader (else its owner) with the link to the case; nothing
    about the person, as every follow-up SMS."""
    team = await roster_duty.get_team(session, team_id=case.team_id) if case.team_id else None
    candidates = [m for m in (team.leader_member_id if team else None, case.owner_member_id) if m]
    members = await roster_duty.members_by_id(session, candidates)
    reachable = [members[m] for m in candidates if m in members]
    member = next((m for m in reachable if roster_duty.reachable(m)), None)
    if member is None:
        log.warning(
            "nobody to tell of a case at its retention age", extra={"case_id": str(case.id)}
        )
        return
    municipality = await roster_duty.get_municipality(session, case.municipality_code)
    standard = language_of(municipality.written_standard if municipality else None)
    name = municipality.name if municipality else case.municipality_code
    link = texts.case_link(settings.http.public_base_url, case.id)
    language = spoken(member.language, standard)
    try:
        body = texts.retention_text(
            municipality_name=name, opened_at=case.opened_at, link=link, language=language
        )
    except ValueError:  # a name that will not go: without it
        body = texts.retention_text(
            municipality_name="", opened_at=case.opened_at, link=link, language=language
        )
    outbox.enqueue(
        session,
        [
            OutboxMessage(
                subject_kind=CASE_MESSAGES,
                subject_id=case.id,
                purpose=FLAG_PURPOSE,
                member_id=member.id,
                to_number=member.mobile,
                body=body,
                status=OutboxStatus.PENDING,
                due_at=now,
                created_at=now,
            )
        ],
    )


def housekeeping_periods(policy: RetentionSettings) -> dict[Category, timedelta]:
    """Each housekeeping category's period (the report shows them too)."""
    days = {
        Category.ACCESS_LOG: policy.access_log_days,
        Category.WEBHOOK_DELIVERY: policy.webhook_delivery_days,
        Category.SIGNIN_LINK: policy.signin_link_days,
        Category.SESSION: policy.session_days,
        Category.OUTBOX_BODY: policy.outbox_body_days,
        Category.TIMELINE_TEXT: policy.timeline_text_days,
        Category.RATE_COUNTER: policy.counter_grace_days,
        Category.USED_ONCE: policy.counter_grace_days,
    }
    return {category: timedelta(days=d) for category, d in days.items()}


async def _housekeeping(
    sessions: async_sessionmaker[AsyncSession],
    policy: RetentionSettings,
    done: Counter[Category],
    *,
    now: datetime,
) -> None:
    periods = housekeeping_periods(policy)
    limit = policy.batch_size

    async def batches(category: Category, batch: Callable[[AsyncSession], Awaitable[int]]) -> None:
        while True:
            async with sessions() as session, session.begin():
                count = await batch(session)
                repository.log_run(session, category, count, now=now)
            done[category] += count
            if count < limit:
                return

    for job in repository.deletions():
        cutoff = rules.cutoff(now, periods[job.category])
        await batches(
            job.category,
            lambda s, job=job, cutoff=cutoff: repository.delete_due(  # type: ignore[misc]
                s, job, cutoff=cutoff, limit=limit
            ),
        )
    outbox_by = rules.cutoff(now, periods[Category.OUTBOX_BODY])
    await batches(
        Category.OUTBOX_BODY,
        lambda s: repository.blank_outbox(s, cutoff=outbox_by, limit=limit),
    )
    text_by = rules.cutoff(now, periods[Category.TIMELINE_TEXT])

    async def crew_text(session: AsyncSession) -> int:
        alerts = await repository.alerts_with_crew_text(session, cutoff=text_by, limit=limit)
        await purge.clear_crew_text(session, alerts, until=text_by)
        return len(alerts)

    await batches(Category.TIMELINE_TEXT, crew_text)
