"""Staff sign-in use cases: ask for a link by SMS, open and use it, sign in with a provider's
token (once per token), resolve a session, sign out. Services never commit: the router owns
the transaction.

A link is bound to the mobile number it was sent to, not to one member: a person in two teams
has one member row in each, and chooses the team when they use the link. The SMS is written
to the outbox in the transaction that stores the link, and only when the number belongs to an
active member who has not replied STOP; the caller answers the same either way.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import jwks
from app.auth.staff import oidc, repository, rules, signin_links, texts, tokens
from app.auth.staff.identity import StaffIdentity
from app.auth.staff.models import SignInVia, StaffSession, StaffSignInLink
from app.auth.staff.repository import StaffMember
from app.config.sections import StaffAuthSettings
from app.i18n import language_of

SUBJECT_KIND = "staff_signin"
"""The outbox subject kind of sign-in SMS; the subject id is the link's id."""
PURPOSE = "signin"
ID_TOKEN_PURPOSE = "oidc-id-token"
"""The `app.once` purpose of used OIDC ID tokens."""


class Refusal(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    NO_MEMBER = "no_member"
    """No active member has the link's number (or the token's claim) any more."""
    CHOOSE_TEAM = "choose_team"
    """Several active members match: the caller must name the team (`team_id`)."""


class SignInRefused(Exception):
    def __init__(self, refusal: Refusal, *, members: list[StaffMember] | None = None) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.members = members or []


@dataclass(frozen=True)
class OpenedLink:
    link: StaffSignInLink
    state: rules.LinkState
    members: list[StaffMember]
    """The active members the link may sign in as (one per team), oldest first."""


@dataclass(frozen=True)
class SignedIn:
    token: str
    """The session token: the cookie's value or the bearer token (never stored)."""
    identity: StaffIdentity


async def request_link(
    session: AsyncSession,
    *,
    mobile: str,
    now: datetime,
    settings: StaffAuthSettings,
    public_base_url: str,
) -> bool:
    """Writes a sign-in SMS to `mobile` if it is an active member's; True if it did."""
    members = await repository.active_members(session, mobile=mobile)
    members = [m for m in members if not m.sms_opted_out]
    if not members:
        return False
    token = tokens.new_link_token()
    link = StaffSignInLink(
        token_hash=tokens.token_hash(token),
        mobile=mobile,
        created_at=now,
        expires_at=now + timedelta(minutes=settings.link_minutes),
    )
    repository.add_link(session, link)
    body = texts.signin_text(
        link=tokens.signin_link(public_base_url, token),
        minutes=settings.link_minutes,
        language=language_of(members[0].language),
    )
    await signin_links.send_link_sms(
        session,
        subject_kind=SUBJECT_KIND,
        link_id=link.id,
        to_number=mobile,
        body=body,
        now=now,
        member_id=members[0].member_id,
    )
    return True


async def open_link(session: AsyncSession, *, token: str, now: datetime) -> OpenedLink | None:
    """The link for `token` and what it is worth now; None for a token never issued."""
    found = await signin_links.open_link(session, StaffSignInLink, token=token, now=now)
    if found is None:
        return None
    link, state = found
    members = await repository.active_members(session, mobile=link.mobile)
    return OpenedLink(link=link, state=state, members=members)


def _chosen(members: list[StaffMember], team_id: uuid.UUID | None) -> StaffMember:
    """The member signing in: the only one, or the one of the team chosen among them."""
    if not members:
        raise SignInRefused(Refusal.NO_MEMBER)
    if team_id is None:
        if len({m.team_id for m in members}) > 1:
            raise SignInRefused(Refusal.CHOOSE_TEAM, members=members)
        return members[0]
    for member in members:
        if member.team_id == team_id:
            return member
    raise SignInRefused(Refusal.CHOOSE_TEAM, members=members)


async def use_link(
    session: AsyncSession,
    *,
    token: str,
    team_id: uuid.UUID | None,
    now: datetime,
    settings: StaffAuthSettings,
) -> SignedIn:
    """Signs in with a link (once); `team_id` chooses when members of several teams have the
    link's number."""
    opened = await open_link(session, token=token, now=now)
    if opened is None:
        raise SignInRefused(Refusal.UNKNOWN)
    return await use_opened(session, opened=opened, team_id=team_id, now=now, settings=settings)


async def use_opened(
    session: AsyncSession,
    *,
    opened: OpenedLink,
    team_id: uuid.UUID | None,
    now: datetime,
    settings: StaffAuthSettings,
) -> SignedIn:
    """`use_link` for a link the caller has opened already (`open_link`), without reading it
    and its members again; its state is taken at `now`."""
    link = opened.link
    state = rules.link_state(expires_at=link.expires_at, used_at=link.used_at, now=now)
    if state is rules.LinkState.USED:
        raise SignInRefused(Refusal.USED)
    if state is rules.LinkState.EXPIRED:
        raise SignInRefused(Refusal.EXPIRED)
    member = _chosen(opened.members, team_id)
    if not await signin_links.use_once(session, StaffSignInLink, link_id=link.id, now=now):
        raise SignInRefused(Refusal.USED)
    signed_in = start_session(
        session, member=member, via=SignInVia.SMS_LINK, now=now, settings=settings
    )
    await session.flush()  # the session row exists before the link names it
    await repository.set_link_session(
        session, link_id=link.id, session_id=signed_in.identity.session_id
    )
    return signed_in


async def sign_in_by_claim(
    session: AsyncSession,
    *,
    identifier: str,
    team_id: uuid.UUID | None,
    now: datetime,
    settings: StaffAuthSettings,
) -> SignedIn:
    """Signs in the active member an OIDC token named (its mobile or email, as
    `settings.oidc_match` says)."""
    if settings.oidc_match == "email":
        members = await repository.active_members(session, email=identifier)
    else:
        members = await repository.active_members(session, mobile=identifier)
    member = _chosen(members, team_id)
    return start_session(session, member=member, via=SignInVia.OIDC, now=now, settings=settings)


async def sign_in_by_id_token(
    session: AsyncSession,
    *,
    token: str,
    claims: Mapping[str, Any],
    identifier: str,
    team_id: uuid.UUID | None,
    now: datetime,
    settings: StaffAuthSettings,
) -> SignedIn:
    """Signs in the member a verified ID token names, once per token: a second use is
    `jwks.OidcRefused`. The use is recorded in the caller's transaction, so a sign-in refused
    here (409 choose a team, 403 no member) rolls it back and the same token may try again."""
    first = await oidc.first_sign_in(
        session, purpose=ID_TOKEN_PURPOSE, claims=claims, token=token, now=now
    )
    if not first:
        raise jwks.OidcRefused("the token was already used to sign in; sign in again")
    return await sign_in_by_claim(
        session, identifier=identifier, team_id=team_id, now=now, settings=settings
    )


def start_session(
    session: AsyncSession,
    *,
    member: StaffMember,
    via: SignInVia,
    now: datetime,
    settings: StaffAuthSettings,
) -> SignedIn:
    token = tokens.new_session_token()
    row = StaffSession(
        token_hash=tokens.token_hash(token),
        member_id=member.member_id,
        via=via.value,
        created_at=now,
        expires_at=now + timedelta(hours=settings.session_hours),
    )
    repository.add_session(session, row)
    return SignedIn(token=token, identity=identity_of(row, member))


def identity_of(row: StaffSession, member: StaffMember) -> StaffIdentity:
    # The identity is the member as sign-in saw them (bar the SMS opt-out, which access
    # does not depend on), plus their session.
    carried = asdict(member)
    del carried["sms_opted_out"]
    carried["language"] = language_of(member.language)
    return StaffIdentity(**carried, session_id=row.id, via=row.via, expires_at=row.expires_at)


async def resolve_session(
    session: AsyncSession, *, token: str, now: datetime
) -> StaffIdentity | None:
    """Who the session token belongs to, if the session is alive and its member active."""
    found = await signin_links.live_session(
        session, token=token, now=now, by_hash=repository.session_with_member
    )
    if found is None:
        return None
    row, member = found
    return identity_of(row, member)


async def sign_out(session: AsyncSession, *, session_id: uuid.UUID, now: datetime) -> None:
    await signin_links.sign_out(session, StaffSession, session_id=session_id, now=now)
