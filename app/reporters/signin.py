"""Reporters' sign-in, by the mechanisms of staff sign-in (app/auth/staff): a one-time link
sent by SMS to the reporter's mobile (the same token form, text and lifetime,
`STAFF__LINK_MINUTES`), or a provider's verified ID token (`STAFF__MODE=oidc`, matched on the
same claim), each starting a session (`STAFF__SESSION_HOURS`).

How a reporter's session differs from a staff member's: it is a row of `reporter_session`,
never of `staff_session`, and its cookie (`odv_reporter`) is scoped to the form's pages
(`/skjema`) while the staff cookie is scoped to `/a`. A reporter's token is therefore never
a staff session: the staff pages and the staff API do not know it (sign-in page or 401), and
the form shows a reporter only the form and the alerts they sent themselves. There is no
bearer use of it: the form is a page, not an API.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.staff import rules, signin_links, texts, tokens
from app.config.sections import StaffAuthSettings
from app.reporters import repository
from app.reporters.models import Reporter, ReporterSession, ReporterSignInLink

SUBJECT_KIND = "reporter_signin"
"""The outbox subject kind of a reporter's sign-in SMS; the subject id is the link's id."""
LINK_PATH = "/skjema/s/"


@dataclass(frozen=True)
class ReporterIdentity:
    """A signed-in reporter: what the form's pages act with."""

    reporter_id: uuid.UUID
    name: str
    reporter_type: str
    unit: str | None
    callback_phone: str | None
    language: str
    municipalities: tuple[str, ...]
    municipality_names: dict[str, str]
    session_id: uuid.UUID
    expires_at: datetime


@dataclass(frozen=True)
class SignedIn:
    token: str
    identity: ReporterIdentity


def signin_link(public_base_url: str, token: str) -> str:
    return f"{public_base_url.rstrip('/')}{LINK_PATH}{token}"


async def request_link(
    session: AsyncSession,
    *,
    mobile: str,
    now: datetime,
    settings: StaffAuthSettings,
    public_base_url: str,
) -> bool:
    """Writes a sign-in SMS to `mobile` if an active reporter has it; True if it did."""
    reporter = await repository.active_by(session, mobile=mobile)
    if reporter is None:
        return False
    token = tokens.new_link_token()
    link = ReporterSignInLink(
        token_hash=tokens.token_hash(token),
        reporter_id=reporter.id,
        created_at=now,
        expires_at=now + timedelta(minutes=settings.link_minutes),
    )
    repository.add(session, link)
    body = texts.signin_text(
        link=signin_link(public_base_url, token),
        minutes=settings.link_minutes,
        language="en" if reporter.language == "en" else "nb",
    )
    await signin_links.send_link_sms(
        session, subject_kind=SUBJECT_KIND, link_id=link.id, to_number=mobile, body=body, now=now
    )
    return True


async def use_link(
    session: AsyncSession, *, token: str, now: datetime, settings: StaffAuthSettings
) -> SignedIn | rules.LinkState | None:
    """Signs in with the link (once): the session, or why not (its state; None: unknown, or
    its reporter is no longer active)."""
    opened = await signin_links.open_link(session, ReporterSignInLink, token=token, now=now)
    if opened is None:
        return None
    link, state = opened
    if state is not rules.LinkState.VALID:
        return state
    reporter = await repository.get(session, link.reporter_id)
    if reporter is None or not reporter.active:
        return None
    if not await signin_links.use_once(session, ReporterSignInLink, link_id=link.id, now=now):
        return rules.LinkState.USED
    return await start_session(
        session, reporter=reporter, via="sms_link", now=now, settings=settings
    )


async def sign_in_by_claim(
    session: AsyncSession, *, identifier: str, now: datetime, settings: StaffAuthSettings
) -> SignedIn | None:
    """Signs in the active reporter an OIDC token named (mobile or email, `STAFF__OIDC_MATCH`)."""
    if settings.oidc_match == "email":
        reporter = await repository.active_by(session, email=identifier)
    else:
        reporter = await repository.active_by(session, mobile=identifier)
    if reporter is None:
        return None
    return await start_session(session, reporter=reporter, via="oidc", now=now, settings=settings)


async def start_session(
    session: AsyncSession,
    *,
    reporter: Reporter,
    via: str,
    now: datetime,
    settings: StaffAuthSettings,
) -> SignedIn:
    token = tokens.new_session_token()
    row = ReporterSession(
        token_hash=tokens.token_hash(token),
        reporter_id=reporter.id,
        via=via,
        created_at=now,
        expires_at=now + timedelta(hours=settings.session_hours),
    )
    repository.add(session, row)
    return SignedIn(token=token, identity=await _identity(session, row, reporter))


async def _identity(
    session: AsyncSession, row: ReporterSession, reporter: Reporter
) -> ReporterIdentity:
    codes = (await repository.municipalities_of(session, [reporter.id]))[reporter.id]
    return ReporterIdentity(
        reporter_id=reporter.id,
        name=reporter.name,
        reporter_type=reporter.reporter_type,
        unit=reporter.unit,
        callback_phone=reporter.callback_phone or reporter.mobile,
        language="en" if reporter.language == "en" else "nb",
        municipalities=tuple(codes),
        municipality_names=await repository.municipality_names(session, codes),
        session_id=row.id,
        expires_at=row.expires_at,
    )


async def resolve_session(
    session: AsyncSession, *, token: str, now: datetime
) -> ReporterIdentity | None:
    """The reporter of the session token, if the session is alive and the reporter active."""
    found = await signin_links.live_session(
        session, token=token, now=now, by_hash=repository.session_with_reporter
    )
    if found is None:
        return None
    row, reporter = found
    return await _identity(session, row, reporter)


async def sign_out(session: AsyncSession, *, session_id: uuid.UUID, now: datetime) -> None:
    await signin_links.sign_out(session, ReporterSession, session_id=session_id, now=now)


async def record_alert(
    session: AsyncSession, *, reporter: ReporterIdentity, alert_id: uuid.UUID, now: datetime
) -> None:
    await repository.record_alert(
        session, reporter_id=reporter.reporter_id, alert_id=alert_id, now=now
    )


async def sent_by(
    session: AsyncSession, *, reporter: ReporterIdentity, alert_id: uuid.UUID
) -> bool:
    return await repository.sent_by(session, reporter_id=reporter.reporter_id, alert_id=alert_id)


async def sent_alerts(
    session: AsyncSession, *, reporter: ReporterIdentity, limit: int = 10
) -> list[uuid.UUID]:
    rows = await repository.sent_alerts(session, reporter.reporter_id, limit=limit)
    return [r.alert_id for r in rows]
