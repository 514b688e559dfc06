"""API models of a municipality's follow-up settings (admin API)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.api.bodies import RequestBody
from app.followup import repeated
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


class FollowupSettingsIn(RequestBody):
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
