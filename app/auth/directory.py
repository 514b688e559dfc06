"""What a request needs to know about the client behind a token, cached for a few seconds.

`current_client` (app/auth/deps.py) refuses a token whose client is unknown, deleted or inactive,
or whose secret was rotated since the token was issued (`secret_version`). Looking the client
up on every request would cost intake a query, so each process keeps the answer for
`CACHE_SECONDS` of the service clock. Changes made through this process's API (deactivate,
rotate) `forget` the entry and take effect at once; changes made elsewhere (the CLI, another
instance or worker process) take effect within `CACHE_SECONDS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth import repository
from app.auth.municipalities import municipalities_of
from app.clock import Clock

CACHE_SECONDS = 5
# Entries for client ids in validly signed tokens only, so the number of clients bounds it.
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class ClientStanding:
    active: bool
    secret_version: int
    municipalities: frozenset[str]
    """Empty once the client is inactive: it acts for nobody."""
    scopes: frozenset[str] = frozenset()
    """What the client may do (given to a token from the external issuer, `app.auth.external`)."""


class ClientDirectory:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        ttl: timedelta = timedelta(seconds=CACHE_SECONDS),
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._ttl = ttl
        self._cache: dict[str, tuple[datetime, ClientStanding | None]] = {}

    async def standing(self, client_id: str) -> ClientStanding | None:
        """The client as stored a few seconds ago at most; None if it does not exist."""
        now = self._clock.now()
        cached = self._cache.get(client_id)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        async with self._sessions() as session, session.begin():
            standing = await _load(session, client_id)
        if len(self._cache) >= MAX_ENTRIES:
            self._cache.clear()
        self._cache[client_id] = (now, standing)
        return standing

    def forget(self, client_id: str) -> None:
        self._cache.pop(client_id, None)


async def _load(session: AsyncSession, client_id: str) -> ClientStanding | None:
    client = await repository.get_client(session, client_id)
    if client is None:
        return None
    codes = await municipalities_of(session, client_id) if client.active else frozenset()
    return ClientStanding(
        active=client.active,
        secret_version=client.secret_version,
        municipalities=codes,
        scopes=frozenset(client.scopes.split()),
    )
