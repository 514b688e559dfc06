"""API models of the answer options (admin)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator

from app.answers.rules import MAX_MINUTES
from app.api.bodies import with_examples
from app.strict import Integer

OptionText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


class AnswerOptions(BaseModel):
    """The answers offered to whoever takes an alert in this municipality."""

    model_config = with_examples(
        {
            "coming_minutes": [10, 20, 30, 45],
            "places": ["Stasjonen", "Traraveien 19", "legevakten"],
            "follow_up_when": ["i morgen tidlig", "i løpet av dagen", "innen 24 timer"],
        },
        extra="forbid",
    )

    coming_minutes: list[Annotated[Integer, Field(ge=1, le=MAX_MINUTES)]] = Field(
        min_length=1, max_length=8, description='"Kommer, ca. N min": the choices of N'
    )
    places: list[OptionText] = Field(
        max_length=10,
        description='"Ta vedkommende med til …": the municipality\'s places (none: not offered)',
    )
    follow_up_when: list[OptionText] = Field(
        min_length=1,
        max_length=8,
        description='"Kan ikke komme nå, vi følger opp …": when',
    )

    @field_validator("places", "follow_up_when")
    @classmethod
    def _distinct(cls, values: list[str]) -> list[str]:
        if len({v.casefold() for v in values}) != len(values):
            raise ValueError("each choice only once")
        return values
