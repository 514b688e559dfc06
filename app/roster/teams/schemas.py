"""API models of municipalities, teams and members (admin API)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from app.norway.types import MobileStr
from app.roster.enums import Language, MemberRole

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    ),
]
MunicipalityCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


class _Patch(_In):
    """A partial update: fields left out stay; only `_nullable` ones may be set to null."""

    _nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _refuse_null(self) -> Self:
        for name in sorted(self.model_fields_set - self._nullable):
            if getattr(self, name) is None:
                raise ValueError(f"{name} may not be null")
        return self


class MunicipalityIn(_In):
    code: MunicipalityCode = Field(description="Kommunenummer (4 digits).", examples=["3107"])
    name: Name = Field(examples=["Fredrikstad"])


class MunicipalityOut(BaseModel):
    code: str = Field(examples=["3107"])
    name: str = Field(examples=["Fredrikstad"])
    alert_team_id: uuid.UUID | None = Field(
        description="The team that receives the municipality's alerts; null means alerts "
        "for this municipality reach no team (`odvarsel roster-holes` reports it)."
    )
    created_at: datetime


class TeamIn(_In):
    municipality: MunicipalityCode = Field(examples=["3107"])
    name: Name = Field(examples=["Ressursteam overdose"])
    receives_alerts: bool = Field(
        default=False,
        description="Whether this team is paged for the municipality's alerts. At most one "
        "team per municipality; a second gets 409.",
    )


class TeamUpdate(_Patch):
    """Only the fields sent are changed; `leader_member_id: null` removes the leader."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"leader_member_id": "6f1c2a8e-3d4b-4c5a-9e7f-1a2b3c4d5e6f"}]
        }
    )

    _nullable = frozenset({"leader_member_id"})

    name: Name | None = None
    leader_member_id: uuid.UUID | None = Field(
        default=None, description="An active member of this team, paged by `leader` steps."
    )
    receives_alerts: bool | None = None
    tell_others_when_taken: bool | None = Field(
        default=None,
        description="When someone takes an alert, the others paged for it get a short SMS "
        "that it is taken (default on).",
    )


class TeamOut(BaseModel):
    id: uuid.UUID
    municipality: str = Field(examples=["3107"])
    name: str = Field(examples=["Ressursteam overdose"])
    receives_alerts: bool
    leader_member_id: uuid.UUID | None
    tell_others_when_taken: bool
    created_at: datetime


class AlertTeamIn(_In):
    team_id: uuid.UUID = Field(description="A team of this municipality.")


class MemberIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Kari Nordmann",
                    "mobile": "+4791234567",
                    "email": "kari.nordmann@fredrikstad.kommune.no",
                    "role": "sykepleier",
                    "is_health_personnel": True,
                    "language": "nb",
                }
            ]
        }
    )

    name: Name = Field(description="As written in the team's calendar, for rota imports.")
    mobile: MobileStr = Field(description="A Norwegian mobile number; stored as E.164.")
    email: Email | None = Field(default=None, description="Matches calendar attendees.")
    role: MemberRole
    is_health_personnel: bool = Field(
        description="Health personnel (helsepersonelloven § 3), or cooperating personnel "
        "under the same duty of confidentiality; decides what details the member may see."
    )
    language: Language = Language.NB


class MemberUpdate(_Patch):
    """Only the fields sent are changed; `email: null` removes the email."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"mobile": "+4798765432"}]})

    _nullable = frozenset({"email"})

    name: Name | None = None
    mobile: MobileStr | None = None
    email: Email | None = None
    role: MemberRole | None = None
    is_health_personnel: bool | None = None
    language: Language | None = None


class MemberOut(BaseModel):
    id: uuid.UUID
    team_id: uuid.UUID
    name: str = Field(examples=["Kari Nordmann"])
    mobile: str = Field(examples=["+4791234567"])
    email: str | None = Field(examples=["kari.nordmann@fredrikstad.kommune.no"])
    role: MemberRole
    is_health_personnel: bool
    language: Language
    active: bool
    sms_opted_out_at: datetime | None = Field(
        default=None,
        description="Set when the member replied STOP: Twilio texts them nothing, so they are "
        "off duty (a roster hole) until they reply START.",
    )
    created_at: datetime


class MemberChange(BaseModel):
    """A member after deactivation or reactivation, and what the change means for duty."""

    member: MemberOut
    warnings: list[str] = Field(
        examples=[["Was the team's leader: the team has no leader now; appoint another."]]
    )
