"""Documents of the reporters' admin API (`/v1/admin/reporters`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.api.bodies import RequestBody, one_at_least, with_examples
from app.norway.types import Email, MobileStr, MunicipalityCode, PhoneStr
from app.overdose.enums import ReporterType
from app.roster.enums import Language

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

EXAMPLE = {
    "name": "Kari Ambulanse",
    "mobile": "+4791234000",
    "reporter_type": "ambulance",
    "unit": "Ambulanse Fredrikstad 2",
    "municipalities": ["3107"],
}


class ReporterIn(RequestBody):
    """A reporter: a mobile (SMS sign-in) or an email (OIDC sign-in), or both."""

    model_config = with_examples(EXAMPLE)

    name: Name
    mobile: MobileStr | None = Field(default=None, description="Signs in by SMS link; E.164")
    email: Email | None = Field(default=None, description="Signs in with OIDC (STAFF__MODE)")
    reporter_type: ReporterType = Field(examples=[ReporterType.AMBULANCE])
    unit: Name | None = Field(default=None, description="Sent with each alert as the unit")
    callback_phone: PhoneStr | None = Field(
        default=None, description="The crew's call-back number; the mobile when absent"
    )
    language: Language = Language.NB
    municipalities: list[MunicipalityCode] = Field(
        min_length=1, max_length=50, description="Kommunenummer the reporter may report for"
    )

    _can_sign_in = one_at_least(
        "mobile", "email", message="give a mobile or an email: the reporter must be able to sign in"
    )


class ReporterOut(BaseModel):
    id: uuid.UUID
    name: str
    mobile: str | None
    email: str | None
    reporter_type: ReporterType
    unit: str | None
    callback_phone: str | None
    language: str
    active: bool
    municipalities: list[str]
    created_at: datetime
    updated_at: datetime
