"""API models of municipalities, teams and members (admin API)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AliasChoices,
    BaseModel,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from app.api.bodies import RequestBody, with_examples
from app.norway.types import Email, MobileStr, MunicipalityCode
from app.roster.enums import HealthPersonnelBasis, Language, MemberRole, WrittenStandard
from app.strict import Boolean, without_null

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


NOT_NULL = "may not be null; leave the field out to keep its value"


class _Patch(RequestBody):
    """A partial update: fields left out stay; only `_nullable` ones may be set to null."""

    _nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        """Runs only for fields sent: a `null` sent where it means nothing is refused."""
        if value is None and info.field_name not in cls._nullable:
            raise ValueError(NOT_NULL)
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The document offers `null` only where it is accepted (`_nullable`)."""
        schema = handler(core_schema)
        for name, prop in handler.resolve_ref_schema(schema).get("properties", {}).items():
            if name not in cls._nullable:
                without_null(prop)
        return schema


_STANDARD_DESCRIPTION = (
    "The municipality's written standard (målform), bokmål (nb) or nynorsk (nn): the language "
    "of its SMS and pages for members who chose none."
)
_LANGUAGE_DESCRIPTION = (
    "The language of the member's SMS and pages: bokmål (nb), nynorsk (nn) or English (en); "
    "null: the municipality's written standard."
)


class MunicipalityIn(RequestBody):
    code: MunicipalityCode = Field(description="Kommunenummer (4 digits).", examples=["3107"])
    name: Name = Field(examples=["Fredrikstad"])
    written_standard: WrittenStandard = Field(
        default=WrittenStandard.NB, description=_STANDARD_DESCRIPTION
    )


class MunicipalityOut(BaseModel):
    code: str = Field(examples=["3107"])
    name: str = Field(examples=["Fredrikstad"])
    written_standard: WrittenStandard = Field(description=_STANDARD_DESCRIPTION)
    alert_team_id: uuid.UUID | None = Field(
        description="The team that receives the municipality's alerts; null means alerts "
        "for this municipality reach no team (`odvarsel roster-holes` reports it)."
    )
    created_at: datetime


class WrittenStandardIn(RequestBody):
    """A municipality's written standard (the settings document `written-standard`)."""

    model_config = with_examples({"written_standard": "nn"})

    written_standard: WrittenStandard = Field(description=_STANDARD_DESCRIPTION)


class WrittenStandardOut(BaseModel):
    written_standard: WrittenStandard = Field(description=_STANDARD_DESCRIPTION)


class TeamIn(RequestBody):
    municipality: MunicipalityCode = Field(examples=["3107"])
    name: Name = Field(examples=["Ressursteam overdose"])
    receives_alerts: Boolean = Field(
        default=False,
        description="Whether this team is paged for the municipality's alerts. At most one "
        "team per municipality; a second gets 409.",
    )


class TeamUpdate(_Patch):
    """Only the fields sent are changed; `leader_member_id: null` removes the leader."""

    model_config = with_examples({"leader_member_id": "6f1c2a8e-3d4b-4c5a-9e7f-1a2b3c4d5e6f"})

    _nullable = frozenset({"leader_member_id"})

    name: Name | None = None
    leader_member_id: uuid.UUID | None = Field(
        default=None, description="An active member of this team, paged by `leader` steps."
    )
    receives_alerts: Boolean | None = None
    tell_others_when_taken: Boolean | None = Field(
        default=None,
        description="When someone takes an alert, the others paged for it get a short SMS "
        "that it is taken (default on).",
    )


class TeamOut(BaseModel):
    id: uuid.UUID
    municipality: str = Field(
        examples=["3107"], validation_alias=AliasChoices("municipality", "municipality_code")
    )
    name: str = Field(examples=["Ressursteam overdose"])
    receives_alerts: bool
    leader_member_id: uuid.UUID | None
    tell_others_when_taken: bool
    created_at: datetime


class AlertTeamIn(RequestBody):
    team_id: uuid.UUID = Field(description="A team of this municipality.")


_BASIS_DESCRIPTION = (
    "Why the member is health personnel (helsepersonelloven § 3), assessed per role, not by "
    "title: `authorisation` (authorised health personnel, § 3 first paragraph no. 1, § 48) or "
    "`municipal_care_role` (employed in the municipal health and care service in a role that "
    "gives health care, § 3 first paragraph no. 2). Null: not health personnel; the member "
    "sees data only as personnel cooperating in the care, under the same confidentiality "
    "(§ 25), and never the substances. Decides what details the member may see."
)
_FLAG_DESCRIPTION = (
    "Deprecated: send `health_personnel_basis` instead; accepted for one more version. "
    "`true` without a basis is read as `authorisation`; `false` means no basis. Sent together "
    "with a basis it must agree with it (a basis with `false` is refused)."
)
_DEPRECATED: dict[str, Any] = {"deprecated": True}


def _basis_agrees(
    basis: HealthPersonnelBasis | None, info: ValidationInfo
) -> HealthPersonnelBasis | None:
    """A basis sent together with the deprecated flag must agree with it. Runs only when the
    basis is sent, after the flag (declared before it)."""
    flag = info.data.get("is_health_personnel")
    if flag is False and basis is not None:
        raise ValueError(
            "contradicts is_health_personnel: false; send only health_personnel_basis "
            "(is_health_personnel is deprecated)"
        )
    if flag is True and basis is None:
        raise ValueError(
            "null means not health personnel, which contradicts is_health_personnel: true; "
            "send only health_personnel_basis (is_health_personnel is deprecated)"
        )
    return basis


class MemberIn(RequestBody):
    model_config = with_examples(
        {
            "name": "Kari Nordmann",
            "mobile": "+4791234567",
            "email": "kari.nordmann@fredrikstad.kommune.no",
            "role": "sykepleier",
            "health_personnel_basis": "authorisation",
            "language": "nn",
        }
    )

    name: Name = Field(description="As written in the team's calendar, for rota imports.")
    mobile: MobileStr = Field(description="A Norwegian mobile number; stored as E.164.")
    email: Email | None = Field(default=None, description="Matches calendar attendees.")
    role: MemberRole
    is_health_personnel: Boolean | None = Field(
        default=None, description=_FLAG_DESCRIPTION, json_schema_extra=_DEPRECATED
    )
    health_personnel_basis: HealthPersonnelBasis | None = Field(
        default=None, description=_BASIS_DESCRIPTION
    )
    language: Language | None = Field(default=None, description=_LANGUAGE_DESCRIPTION)

    _check_basis = field_validator("health_personnel_basis")(_basis_agrees)

    @model_validator(mode="after")
    def _one_answer(self) -> Self:
        """After validation both fields agree: the flag is `basis is not None`."""
        if self.health_personnel_basis is None and self.is_health_personnel:
            self.health_personnel_basis = HealthPersonnelBasis.AUTHORISATION
        self.is_health_personnel = self.health_personnel_basis is not None
        return self


class MemberUpdate(_Patch):
    """Only the fields sent are changed; `email: null` removes the email, and
    `health_personnel_basis: null` records that the member is not health personnel."""

    model_config = with_examples({"mobile": "+4798765432"})

    _nullable = frozenset({"email", "health_personnel_basis", "language"})

    name: Name | None = None
    mobile: MobileStr | None = None
    email: Email | None = None
    role: MemberRole | None = None
    is_health_personnel: Boolean | None = Field(
        default=None,
        description=_FLAG_DESCRIPTION + " Alone, `true` keeps a basis already recorded.",
        json_schema_extra=_DEPRECATED,
    )
    health_personnel_basis: HealthPersonnelBasis | None = Field(
        default=None, description=_BASIS_DESCRIPTION
    )
    language: Language | None = Field(default=None, description=_LANGUAGE_DESCRIPTION)

    _check_basis = field_validator("health_personnel_basis")(_basis_agrees)


class MemberOut(BaseModel):
    id: uuid.UUID
    team_id: uuid.UUID
    name: str = Field(examples=["Kari Nordmann"])
    mobile: str = Field(examples=["+4791234567"])
    email: str | None = Field(examples=["kari.nordmann@fredrikstad.kommune.no"])
    role: MemberRole
    is_health_personnel: bool = Field(
        description="Whether `health_personnel_basis` is set; kept for clients of the first "
        "version (deprecated)."
    )
    health_personnel_basis: HealthPersonnelBasis | None = Field(
        default=None, description=_BASIS_DESCRIPTION
    )
    language: Language | None = Field(description=_LANGUAGE_DESCRIPTION)
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
