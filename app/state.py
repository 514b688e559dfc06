"""What the app holds for its lifetime, built once in the lifespan and reached through deps.

This module sits below the domains and imports none of them at run time: `app.main` builds
each domain object (token codec, client directory, cipher, SMS sender, worker...) and hands
it in. The domain types are named for the type checker only (`TYPE_CHECKING`), so the
fields stay precisely typed without the shared layer depending on what it holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.clock import Clock
from app.config import Settings
from app.counters import Counters

if TYPE_CHECKING:
    from app.auth.directory import ClientDirectory
    from app.auth.external import ExternalIssuer
    from app.auth.limits import TokenGuard
    from app.auth.tokens import TokenCodec
    from app.notify.outcomes import OutcomeHandlers
    from app.notify.sms import SmsSender
    from app.privacy.crypto import FieldCipher, KeyedHasher
    from app.webhooks.addresses import AddressGuard
    from app.worker import Worker


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    tokens: TokenCodec
    cipher: FieldCipher
    hasher: KeyedHasher
    sender: SmsSender
    outcomes: OutcomeHandlers
    """What the dispatcher and the delivery-report webhook tell about each message."""
    worker: Worker
    clients: ClientDirectory
    token_guard: TokenGuard
    counters: Counters
    """The rate limits' counters, in the database every instance shares."""
    webhook_addresses: AddressGuard
    """Where webhooks may go: checked when a URL is set and at every connection (tests
    replace its `resolve` to make a name resolve to loopback)."""
    external_tokens: ExternalIssuer | None = None
    """The OIDC issuer whose access tokens machine clients may use too (HelseID); None
    unless `CLIENT_OIDC__ENABLED`."""
