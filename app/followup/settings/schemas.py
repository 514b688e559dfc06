"""API models of a municipality's follow-up settings (admin API)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from app.api.bodies import RequestBody
from app.followup import repeated
from app.input_guard import refuse_control_characters
from app.strict import Integer

MIN_REPEAT_WINDOW_DAYS = 1
MAX_REPEAT_WINDOW_DAYS = 365
DEFAULT_REPEAT_WINDOW_DAYS = repeated.REPEAT_WINDOW.days

_WINDOW_DESCRIPTION = (
    "Repeated overdoses: an earlier non-fatal overdose of the same person at most this many "
    "days before the one whose case opens (inclusive) makes the case a serious crisis. The "
    "window of the municipality whose case opens applies; earlier overdoses in any "
    "municipality count. Default 30 days: a local choice of this service (the seeds say "
    '«innen kort tid»); docs/rules.md, "Repeated overdoses".'
)


_UNIT_DESCRIPTION = (
    "Repeated overdoses: the coordinating unit, as staff call it (e.g. «koordinerende enhet», "
    "«fagkonsulent rus»). It convenes the urgent meeting (not the team leader) and, with the "
    "person's GP, may receive the concern report; the steps name it. Default: "
    f"«{repeated.DEFAULT_COORDINATING_UNIT}»."
)
Unit = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=2, max_length=60),
    AfterValidator(refuse_control_characters),
]


class FollowupSettingsIn(RequestBody):
    repeat_window_days: Integer = Field(
        ge=MIN_REPEAT_WINDOW_DAYS,
        le=MAX_REPEAT_WINDOW_DAYS,
        description=_WINDOW_DESCRIPTION,
        examples=[DEFAULT_REPEAT_WINDOW_DAYS],
    )
    coordinating_unit: Unit = Field(
        default=repeated.DEFAULT_COORDINATING_UNIT,
        description=_UNIT_DESCRIPTION,
        examples=["fagkonsulent rus"],
    )


class FollowupSettingsOut(BaseModel):
    repeat_window_days: int = Field(
        description=_WINDOW_DESCRIPTION, examples=[DEFAULT_REPEAT_WINDOW_DAYS]
    )
    coordinating_unit: str = Field(description=_UNIT_DESCRIPTION)
    configured: bool = Field(description="False: the municipality has not set its own (defaults)")
    updated_at: datetime | None = Field(description="When it was last set; None: never")
