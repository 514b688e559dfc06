"""The leader's overview under "Mine saker" (`/a/cases`): the municipality's open cluster
signals, its recent concern reports, its warnings (drafts awaiting approval, warnings in
force, expired ones whose review is due), who an approval reaches, and the warnings arriving
from neighbouring municipalities.

Read only, through the services of `app.drug_warnings` (as the case system's API reads them,
for the leader's one municipality), in the caller's transaction. Nothing personal: a signal
carries alert ids only (not shown) and times to the hour; a warning's text was checked for
personal data when it was drafted and approved, a concern report's when it was filed. The
leader acts on them through the forms of `app.web.warnings`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.drug_warnings import repository
from app.drug_warnings.clusters import AreaKind
from app.drug_warnings.reports import service as reports
from app.drug_warnings.reports.schemas import ConcernReportOut
from app.drug_warnings.repository import Page
from app.drug_warnings.settings import repository as settings_repository
from app.drug_warnings.signals import service as signals
from app.drug_warnings.signals.models import SignalStatus
from app.drug_warnings.signals.schemas import SignalOut
from app.drug_warnings.warnings import lists
from app.drug_warnings.warnings.models import DrugWarning
from app.drug_warnings.warnings.schemas import IncomingWarningOut, WarningOut, WarningState
from app.i18n import decimal

SHOWN = 50
"""At most this many of each kind (signals, drafts, warnings in force, incoming)."""
EXPIRED_READ = 200
"""Expired warnings read to find those whose review is due (newest first)."""
REPORT_DAYS = 30
"""Concern reports filed within this many days are listed (at most `SHOWN`, newest first)."""


@dataclass(frozen=True)
class SignalItem:
    """An open cluster signal as the page shows it."""

    signal: SignalOut
    window: str
    """The rule's window in hours, written for the page's language ("6", "0,5")."""
    radius: str | None
    """The radius in km for a radius rule, else None."""
    district: str | None
    """The district's name for a district rule (when the signal names one), else None; with
    neither, the area is the whole municipality."""


@dataclass(frozen=True)
class ReportItem:
    """A recent concern report as the page shows it."""

    report: ConcernReportOut
    warned: bool
    """A warning of the municipality (draft, in force or expired) names it as its source."""


@dataclass(frozen=True)
class Reach:
    """Who an approved warning reaches: the contact list by SMS, the neighbours' lists."""

    contacts: int
    neighbours: list[str]
    """The names of the served neighbouring municipalities."""


@dataclass(frozen=True)
class LeaderOverview:
    signals: list[SignalItem]
    drafts: list[WarningOut]
    in_force: list[WarningOut]
    review_due: list[WarningOut]
    incoming: list[IncomingWarningOut]
    reports: list[ReportItem]
    reach: Reach


def signal_item(signal: SignalOut, language: str) -> SignalItem:
    """The signal with its rule written for the page (also the drafting page's)."""
    rule = signal.rule
    radius = None
    if rule.area is AreaKind.RADIUS and rule.radius_km is not None:
        radius = decimal(rule.radius_km, language)
    return SignalItem(
        signal=signal,
        window=decimal(rule.window_hours, language),
        radius=radius,
        district=signal.district,
    )


async def leader_overview(
    session: AsyncSession, *, municipality_code: str, now: datetime, language: str
) -> LeaderOverview:
    """What the leader of `municipality_code` has to look at besides the cases."""
    page = Page([municipality_code], limit=SHOWN)
    open_signals = await signals.list_signals(session, page, status=SignalStatus.OPEN)

    async def rows(state: WarningState, limit: int) -> list[DrugWarning]:
        return await lists.warning_rows(session, replace(page, limit=limit), state=state, now=now)

    kinds = (
        await rows(WarningState.DRAFT, SHOWN),
        await rows(WarningState.ACTIVE, SHOWN),
        await rows(WarningState.EXPIRED, EXPIRED_READ),
    )
    # The three kinds' SMS counts and neighbours reached, read once for all of them.
    outs = await lists.warnings_out(session, [w for kind in kinds for w in kind], now=now)
    by_id = {w.id: w for w in outs}
    drafts, in_force, expired = ([by_id[w.id] for w in kind] for kind in kinds)
    incoming = await lists.incoming_warnings(session, page, include_expired=False, now=now)
    recent = await reports.concern_reports(session, page)
    sources = {w.concern_report_id for w in (*drafts, *in_force, *expired)}
    return LeaderOverview(
        signals=[signal_item(s, language) for s in open_signals],
        drafts=drafts,
        in_force=in_force,
        review_due=[w for w in expired if w.review_due][:SHOWN],
        incoming=incoming,
        reports=[
            ReportItem(report=r, warned=r.id in sources)
            for r in recent
            if r.created_at >= now - timedelta(days=REPORT_DAYS)
        ],
        reach=await reach_of(session, municipality_code=municipality_code),
    )


async def reach_of(session: AsyncSession, *, municipality_code: str) -> Reach:
    """Who the municipality's approved warnings reach (its settings: none without)."""
    settings = await settings_repository.get_settings(session, municipality_code=municipality_code)
    if settings is None:
        return Reach(contacts=0, neighbours=[])
    names = await repository.served(
        session, [c for c in settings.neighbours if c != municipality_code]
    )
    return Reach(contacts=len(settings.contacts), neighbours=sorted(names.values()))
