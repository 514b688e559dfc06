"""A municipality's retention settings: its own case period, a settings document of the admin
API and of `odvarsel apply` (`settings_of` and `set_settings`, registered in
`app.settings_documents`). Without its own, the service's `RETENTION__CASE_DAYS` applies; a
change applies from the engine's next pass, to cases closed before too. `flagged_among` tells
the staff pages which open cases reached that age."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.retention import repository
from app.retention.models import RetentionSettingsRow
from app.retention.schemas import RetentionIn, RetentionOut


async def settings_of(session: AsyncSession, municipality_code: str) -> RetentionOut:
    """The document as the admin API shows it (`configured: false` without its own)."""
    return _out(await session.get(RetentionSettingsRow, municipality_code))


async def set_settings(
    session: AsyncSession, municipality_code: str, settings: RetentionIn, *, now: datetime
) -> RetentionOut:
    row = await session.merge(
        RetentionSettingsRow(
            municipality_code=municipality_code, case_days=settings.case_days, updated_at=now
        )
    )
    return _out(row)


async def flagged_among(session: AsyncSession, case_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Of the cases, those open at the age their identity would be purged (the leader's list
    marks them: close them, or they are kept)."""
    return await repository.flagged_among(session, case_ids)


def _out(row: RetentionSettingsRow | None) -> RetentionOut:
    if row is None:
        return RetentionOut(case_days=None, configured=False, updated_at=None)
    return RetentionOut(case_days=row.case_days, configured=True, updated_at=row.updated_at)
