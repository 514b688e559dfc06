"""What the worker's engines (`app.worker.Engine`) that open sessions of their own share:
the session factory and the field cipher, and for most also the settings."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.privacy.crypto import FieldCipher


class CipherEngine:
    """An engine that works in transactions of its own and opens encrypted fields."""

    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], cipher: FieldCipher) -> None:
        self._sessions = sessions
        self._cipher = cipher


class SettingsEngine(CipherEngine):
    """A `CipherEngine` that also follows the settings (batch sizes, base URL, limits)."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        cipher: FieldCipher,
    ) -> None:
        super().__init__(sessions=sessions, cipher=cipher)
        self._settings = settings
