"""API models of a municipality's retention settings (the settings document `retention`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.api.bodies import RequestBody
from app.strict import Integer

MIN_CASE_DAYS = 1
MAX_CASE_DAYS = 3650

_CASE_DAYS = (
    "How many days after a follow-up case closes the identifying data of its alert is purged "
    '(docs/rules.md, "Retention"); a case still open at that age (from when it opened) is '
    "not purged, its leader is told once. Alerts that opened no case and the other categories "
    "follow the service's settings (RETENTION__*)."
)


class RetentionIn(RequestBody):
    case_days: Integer = Field(
        ge=MIN_CASE_DAYS, le=MAX_CASE_DAYS, description=_CASE_DAYS, examples=[90]
    )


class RetentionOut(BaseModel):
    case_days: int | None = Field(
        description=_CASE_DAYS + " None: the service's default (RETENTION__CASE_DAYS, 90 "
        "unless configured).",
        examples=[90],
    )
    configured: bool = Field(description="False: the municipality has not set its own")
    updated_at: datetime | None = Field(description="When it was last set; None: never")
