"""What the app holds for its lifetime, built once in the lifespan and reached through deps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.auth.directory import ClientDirectory
from app.auth.limits import TokenGuard
from app.auth.tokens import TokenCodec
from app.clock import Clock
from app.config import Settings
from app.notify.outcomes import OutcomeHandlers
from app.notify.sms import SmsSender
from app.privacy.crypto import FieldCipher, KeyedHasher
from app.webhooks.addresses import AddressGuard

if TYPE_CHECKING:
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
    webhook_addresses: AddressGuard
    """Where webhooks may go: checked when a URL is set and at every connection (tests
    replace its `resolve` to make a name resolve to loopback)."""
