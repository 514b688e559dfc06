"""API models of each municipality's templates: a template as the admin API answers it, and
a short example for the documentation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.followup.template_schema import FollowupTemplate


class TemplateOut(BaseModel):
    """A municipality's template of one kind: its own, or the default."""

    source: str = Field(description="`municipality` (its own) or `default`", examples=["default"])
    updated_at: datetime | None = Field(description="When the municipality last set it")
    template: FollowupTemplate


def template_example() -> dict[str, Any]:
    """A short template, for the documentation."""
    return {
        "kind": "survivor",
        "name": "Oppfølging etter overdose",
        "remind_before_hours": 2,
        "min_lead_hours": 1,
        "steps": [
            {"key": "assess", "title": "Vurdering", "owner": "leader", "offset_hours": 0},
            {
                "key": "visit",
                "title": "Besøk, to ansatte",
                "kind": "visit",
                "owner": "taker",
                "companion": "team",
                "offset_hours": 48,
            },
            {
                "key": "shelter",
                "title": "Sikre et sted å bo",
                "owner": "taker",
                "offset_hours": 24,
                "condition": "homeless",
            },
        ],
    }
