"""The sign-in link and session rules of every kind that signs in: staff (this package) and
reporters (app/reporters). Each kind keeps its own tables (`staff_signin_link` and
`staff_session`, `reporter_signin_link` and `reporter_session`) and its own idea of who a
link or session belongs to; this module is what they do alike, over the kind's table:

* `open_link`: the link of a token (never issued: None) and its state now;
* `use_once`: marks a link used, once (two taps racing: one wins);
* `send_link_sms`: writes the link's SMS to the outbox and wakes the workers;
* `live_session`: the session row of a token and its owner, if the session is alive;
* `sign_out`: ends a session.

It knows neither kind's tables: the kinds pass them.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.auth.staff import rules, tokens
from app.notify import outbox


class LinkRow(Protocol):
    """A row of a kind's sign-in link table."""

    id: uuid.UUID
    token_hash: str
    expires_at: datetime
    used_at: datetime | None


class SessionRow(Protocol):
    """A row of a kind's session table."""

    id: uuid.UUID
    token_hash: str
    expires_at: datetime
    signed_out_at: datetime | None


L = TypeVar("L", bound=LinkRow)
S = TypeVar("S", bound=SessionRow)
Owner = TypeVar("Owner")


async def open_link(
    session: AsyncSession, table: type[L], *, token: str, now: datetime
) -> tuple[L, rules.LinkState] | None:
    """The link of `token` in `table` and its state at `now`; None for a token never issued."""
    if not tokens.is_link_token(token):
        return None
    wanted = tokens.token_hash(token)
    statement = select(table).where(col(table.token_hash) == wanted)
    link = (await session.execute(statement)).scalars().first()
    if link is None or not hmac.compare_digest(link.token_hash, wanted):
        return None
    return link, rules.link_state(expires_at=link.expires_at, used_at=link.used_at, now=now)


async def _set_once(
    session: AsyncSession,
    table: type[LinkRow] | type[SessionRow],
    *,
    row_id: uuid.UUID,
    column: str,
    now: datetime,
) -> bool:
    """Sets the row's `column` to `now` unless it is set already; False if it was (in one
    UPDATE, so of two racing, one wins)."""
    result = await session.execute(
        sa.update(table)
        .where(col(table.id) == row_id, col(getattr(table, column)).is_(None))
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def use_once(
    session: AsyncSession, table: type[LinkRow], *, link_id: uuid.UUID, now: datetime
) -> bool:
    """Marks the link used; False if it already was (two taps racing: one wins)."""
    return await _set_once(session, table, row_id=link_id, column="used_at", now=now)


async def sign_out(
    session: AsyncSession, table: type[SessionRow], *, session_id: uuid.UUID, now: datetime
) -> None:
    """Ends the session; one signed out already keeps its first time."""
    await _set_once(session, table, row_id=session_id, column="signed_out_at", now=now)


async def send_link_sms(
    session: AsyncSession,
    *,
    subject_kind: str,
    link_id: uuid.UUID,
    to_number: str,
    body: str,
    now: datetime,
    member_id: uuid.UUID | None = None,
) -> None:
    """Writes the sign-in SMS of the link (the outbox subject) and wakes the workers."""
    message = outbox.new_message(
        subject_kind=subject_kind,
        subject_id=link_id,
        purpose="signin",
        member_id=member_id,
        to_number=to_number,
        body=body,
        now=now,
    )
    outbox.enqueue(session, [message])
    await outbox.wake_workers(session)


async def live_session(
    session: AsyncSession,
    *,
    token: str,
    now: datetime,
    by_hash: Callable[[AsyncSession, str], Awaitable[tuple[S, Owner] | None]],
) -> tuple[S, Owner] | None:
    """The session of `token` and its owner (`by_hash`, the kind's look-up by token hash), if
    the session is alive (neither expired nor signed out)."""
    if not tokens.is_session_token(token):
        return None
    wanted = tokens.token_hash(token)
    found = await by_hash(session, wanted)
    if found is None:
        return None
    row = found[0]
    if not hmac.compare_digest(row.token_hash, wanted):
        return None
    if not rules.session_alive(expires_at=row.expires_at, signed_out_at=row.signed_out_at, now=now):
        return None
    return found
