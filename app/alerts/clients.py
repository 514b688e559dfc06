"""The API clients of the alerts, each with the request's context it brings: a dispatch system
sending alerts and supplements, a municipality's case system reading them. Intake, supplements
and disclosure take one of these instead of each the same session, client, time and keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.privacy.crypto import FieldCipher, KeyedHasher


@dataclass(frozen=True)
class Sender:
    """A dispatch system posting an alert or a supplement, in the request's transaction."""

    session: AsyncSession
    client_id: str
    now: datetime
    """The service's time of the request: when the alert or supplement was received."""
    cipher: FieldCipher
    """Seals the personal values."""
    hasher: KeyedHasher
    """Fingerprints the request (a retry is the same) and hashes the national id."""


@dataclass(frozen=True)
class Reader:
    """A municipality's case system acting for the overdose team's leader, in the request's
    transaction: it sees the alerts of `municipalities` only."""

    session: AsyncSession
    client_id: str
    municipalities: frozenset[str]
    now: datetime
    cipher: FieldCipher
    """Opens the personal values it may see."""
