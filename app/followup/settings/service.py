"""Each municipality's follow-up settings (admin API): for now the window of repeated overdoses.

A municipality without its own settings gets the defaults (`repeated.REPEAT_WINDOW`, 30
days), shown with `configured: false`. The window that applies to a new case is its
municipality's (`repeat_window`); changing it never changes a case already open.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.municipalities import ActingFor
from app.errors import NotFound
from app.followup import repeated, repository
from app.followup.models import FollowupSettingsRow
from app.roster.rota import duty as roster_duty
from app.strict import Integer

MIN_REPEAT_WINDOW_DAYS = 1
MAX_REPEAT_WINDOW_DAYS = 365
DEFAULT_REPEAT_WINDOW_DAYS = repeated.REPEAT_WINDOW.days

_WINDOW_DESCRIPTION = (
    "Repeated overdoses: an earlier non-fatal overdose of the same person at most this many "
    "days before the one whose case opens (inclusive) makes the case a serious crisis. The "
    "window of the municipality whose case opens applies; earlier overdoses in any "
    "municipality count."
)


class FollowupSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    repeat_window_days: Integer = Field(
        ge=MIN_REPEAT_WINDOW_DAYS,
        le=MAX_REPEAT_WINDOW_DAYS,
        description=_WINDOW_DESCRIPTION,
        examples=[DEFAULT_REPEAT_WINDOW_DAYS],
    )


class FollowupSettingsOut(BaseModel):
    repeat_window_days: int = Field(
        description=_WINDOW_DESCRIPTION, examples=[DEFAULT_REPEAT_WINDOW_DAYS]
    )
    configured: bool = Field(description="False: the municipality has not set its own (defaults)")
    updated_at: datetime | None = Field(description="When it was last set; None: never")


async def repeat_window(session: AsyncSession, *, municipality_code: str) -> timedelta:
    """The repeated-overdose window of the municipality (the default without its own)."""
    row = await repository.get_settings(session, municipality_code=municipality_code)
    if row is None:
        return repeated.REPEAT_WINDOW
    return timedelta(days=row.repeat_window_days)


async def settings_of(
    session: AsyncSession, *, municipality_code: str, municipalities: ActingFor
) -> FollowupSettingsOut:
    """For the admin API: another client's municipality 404s, as an unknown code."""
    await _municipality(session, municipality_code, municipalities)
    return _out(await repository.get_settings(session, municipality_code=municipality_code))


async def set_settings(
    session: AsyncSession,
    *,
    municipality_code: str,
    settings: FollowupSettingsIn,
    municipalities: ActingFor,
    now: datetime,
) -> FollowupSettingsOut:
    """Store the municipality's settings; cases already open keep what they were opened with."""
    await _municipality(session, municipality_code, municipalities)
    row = await repository.save_settings(
        session,
        FollowupSettingsRow(
            municipality_code=municipality_code,
            repeat_window_days=settings.repeat_window_days,
            updated_at=now,
        ),
    )
    return _out(row)


def _out(row: FollowupSettingsRow | None) -> FollowupSettingsOut:
    if row is None:
        return FollowupSettingsOut(
            repeat_window_days=DEFAULT_REPEAT_WINDOW_DAYS, configured=False, updated_at=None
        )
    return FollowupSettingsOut(
        repeat_window_days=row.repeat_window_days, configured=True, updated_at=row.updated_at
    )


async def _municipality(session: AsyncSession, code: str, municipalities: ActingFor) -> None:
    if code not in municipalities or await roster_duty.get_municipality(session, code) is None:
        raise NotFound(f"No municipality {code} among yours.")
