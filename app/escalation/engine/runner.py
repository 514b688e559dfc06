"""The escalation engine as the worker runs it: one short transaction per round."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.escalation.engine import repository as state_repository
from app.escalation.engine import round as escalation_round


class EscalationEngine:
    name = "escalation"

    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = sessions
        self._settings = settings

    def due(self, now: datetime) -> ColumnElement[bool]:
        return state_repository.any_due(now)

    async def run_once(self, now: datetime) -> int:
        """Advance up to `batch_size` due escalations; how many were due."""
        async with self._sessions() as session, session.begin():
            return await escalation_round.advance_due(session, now=now, settings=self._settings)
