"""Each municipality's follow-up settings: the window of repeated overdoses and the
coordinating unit that convenes their urgent meeting.

A municipality without its own settings gets the defaults (`repeated.REPEAT_WINDOW`, 30
days, a local choice; `repeated.DEFAULT_COORDINATING_UNIT`), shown with `configured: false`.
The window and the unit that apply to a new case are its municipality's (`repeat_window`,
`coordinating_unit`); changing them never changes a case already open.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.followup import repeated
from app.followup.settings import repository
from app.followup.settings.models import FollowupSettingsRow
from app.followup.settings.schemas import (
    DEFAULT_REPEAT_WINDOW_DAYS,
    FollowupSettingsIn,
    FollowupSettingsOut,
)


async def repeat_window(session: AsyncSession, *, municipality_code: str) -> timedelta:
    """The repeated-overdose window of the municipality (the default without its own)."""
    row = await repository.get_settings(session, municipality_code=municipality_code)
    if row is None:
        return repeated.REPEAT_WINDOW
    return timedelta(days=row.repeat_window_days)


async def coordinating_unit(session: AsyncSession, *, municipality_code: str) -> str:
    """Who convenes the urgent meeting of repeated overdoses in the municipality."""
    row = await repository.get_settings(session, municipality_code=municipality_code)
    if row is None or row.coordinating_unit is None:
        return repeated.DEFAULT_COORDINATING_UNIT
    return row.coordinating_unit


async def settings_of(session: AsyncSession, municipality_code: str) -> FollowupSettingsOut:
    """The settings as the admin API shows them (`configured: false` for the defaults)."""
    return _out(await repository.get_settings(session, municipality_code=municipality_code))


async def set_settings(
    session: AsyncSession, municipality_code: str, settings: FollowupSettingsIn, *, now: datetime
) -> FollowupSettingsOut:
    """Store the municipality's settings; cases already open keep what they were opened with."""
    row = await repository.save_settings(
        session,
        FollowupSettingsRow(
            municipality_code=municipality_code,
            repeat_window_days=settings.repeat_window_days,
            coordinating_unit=settings.coordinating_unit,
            updated_at=now,
        ),
    )
    return _out(row)


def _out(row: FollowupSettingsRow | None) -> FollowupSettingsOut:
    if row is None:
        return FollowupSettingsOut(
            repeat_window_days=DEFAULT_REPEAT_WINDOW_DAYS,
            coordinating_unit=repeated.DEFAULT_COORDINATING_UNIT,
            configured=False,
            updated_at=None,
        )
    return FollowupSettingsOut(
        repeat_window_days=row.repeat_window_days,
        coordinating_unit=row.coordinating_unit or repeated.DEFAULT_COORDINATING_UNIT,
        configured=True,
        updated_at=row.updated_at,
    )
