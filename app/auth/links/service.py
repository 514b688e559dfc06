"""Minting and resolving recipient links.

`mint` runs in the transaction that writes the SMS, so a link exists exactly when its SMS
does. `resolve` finds a link by the hash of the presented token through the unique index
and then compares the hashes with `hmac.compare_digest`: the time it takes does not depend
on how much of a guess was right.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.auth.links.models import RecipientLink
from app.notify import links as link_format


class LinkState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class ResolvedLink:
    link: RecipientLink
    state: LinkState
    """VALID here still needs an active member: the caller, who loads the member, checks."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mint(
    session: AsyncSession,
    *,
    alert_id: uuid.UUID,
    member_id: uuid.UUID,
    now: datetime,
    lifetime: timedelta,
    public_base_url: str,
) -> str:
    """A new link for `member_id` to the alert; the URL to put in the SMS (never stored)."""
    token = link_format.new_token()
    session.add(
        RecipientLink(
            token_hash=token_hash(token),
            alert_id=alert_id,
            member_id=member_id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return link_format.sms_link(public_base_url, token)


async def resolve(session: AsyncSession, *, token: str, now: datetime) -> ResolvedLink | None:
    """The link for `token` and what it is worth now; None for a token never issued."""
    if not link_format.is_token(token):
        return None
    wanted = token_hash(token)
    statement = select(RecipientLink).where(col(RecipientLink.token_hash) == wanted)
    link = (await session.execute(statement)).scalar_one_or_none()
    if link is None or not hmac.compare_digest(link.token_hash, wanted):
        return None
    if link.revoked_at is not None:
        state = LinkState.REVOKED
    elif now >= link.expires_at:
        state = LinkState.EXPIRED
    else:
        state = LinkState.VALID
    return ResolvedLink(link=link, state=state)


async def revoke_for_member(session: AsyncSession, *, member_id: uuid.UUID, now: datetime) -> None:
    """Every live link of the member dies (they were deactivated)."""
    await session.execute(
        update(RecipientLink)
        .where(
            col(RecipientLink.member_id) == member_id,
            col(RecipientLink.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )


async def members_linked(session: AsyncSession, *, alert_id: uuid.UUID) -> list[uuid.UUID]:
    """Everyone who was sent a link to the alert, in the order they were first sent one."""
    statement = (
        select(RecipientLink.member_id)
        .where(col(RecipientLink.alert_id) == alert_id)
        .order_by(col(RecipientLink.created_at))
    )
    return list(dict.fromkeys((await session.execute(statement)).scalars()))
