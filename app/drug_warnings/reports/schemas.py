"""API models of concern reports."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, field_validator

from app.api.bodies import RequestBody, with_examples
from app.drug_warnings.schemas import (
    each_once,
    text_between,
)
from app.input_guard import refuse_control_characters
from app.instants import BoundedInstant
from app.norway.types import MunicipalityCode
from app.overdose.enums import Substance
from app.privacy.free_text import no_personal_numbers

Description = Annotated[
    str,
    text_between(3, 1000),
    AfterValidator(refuse_control_characters),
    AfterValidator(no_personal_numbers),
]


class ReporterKind(StrEnum):
    """Who filed a concern report."""

    POLICE = "police"
    INJECTION_ROOM = "injection_room"
    """Sprøyterommet / the supervised consumption room."""
    FELTPLEIEN = "feltpleien"
    USER_ORGANISATION = "user_organisation"
    """A user organisation (brukerorganisasjon), e.g. RIO, proLAR, Foreningen for human
    narkotikapolitikk."""
    LOW_THRESHOLD_SERVICE = "low_threshold_service"
    HOUSING_STAFF = "housing_staff"
    MUNICIPAL_STAFF = "municipal_staff"
    """The overdose team or other municipal staff."""
    OTHER = "other"


class ConcernReportIn(RequestBody):
    model_config = with_examples(
        {
            "municipality": "3107",
            "reporter_kind": "injection_room",
            "description": "Flere brukere melder om blå tabletter merket «M30» solgt som "
            "oksykodon; to ble tungpustne etter en halv tablett.",
            "substances": ["other_opioid"],
            "observed_at": "2026-11-23T10:30:00+01:00",
        }
    )

    municipality: MunicipalityCode = Field(description="Kommunenummer, one of the client's.")
    reporter_kind: ReporterKind
    description: Description = Field(
        description="What was seen or heard about the drug: 3-1000 characters, no names, "
        "national ids or phone numbers."
    )
    substances: list[Substance] = Field(
        default_factory=list,
        max_length=len(Substance),
        description="What it is thought to be.",
        json_schema_extra={"uniqueItems": True},
    )
    observed_at: BoundedInstant | None = Field(default=None, description="When it was observed.")

    @field_validator("substances")
    @classmethod
    def _distinct(cls, values: list[Substance]) -> list[Substance]:
        return each_once(values, "substance")


class ConcernReportOut(BaseModel):
    id: uuid.UUID
    municipality: str
    reporter_kind: ReporterKind
    description: str
    substances: list[Substance]
    observed_at: datetime | None
    created_at: datetime
