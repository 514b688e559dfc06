"""API models of a municipality's warning settings: its contact list and neighbours, and its
cluster rules with its districts."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Self

from pydantic import AfterValidator, Field, field_validator, model_validator

from app.api.bodies import RequestBody, one_at_least, with_examples
from app.drug_warnings.clusters import (
    MAX_BOUNDARY_POINTS,
    MIN_BOUNDARY_POINTS,
    AreaKind,
    boundary_problem,
)
from app.drug_warnings.recipients import ALL_KINDS, WarningKind
from app.drug_warnings.schemas import ShortText, each_once, text_between
from app.norway.types import Email, MobileStr, MunicipalityCode
from app.strict import Integer, Number

MAX_DISTRICT_NAME = 60
MAX_DISTRICTS = 50


def _no_control_characters(text: str) -> str:
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise ValueError("contains a control character (such as a tab or a line break)")
    return text


DistrictName = Annotated[
    str, text_between(1, MAX_DISTRICT_NAME), AfterValidator(_no_control_characters)
]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]

MAX_EXTERNAL = 50


def _kinds_field() -> Any:
    return Field(
        default_factory=lambda: list(ALL_KINDS),
        max_length=len(ALL_KINDS),
        json_schema_extra={"uniqueItems": True},
        description="The kinds of warning this recipient is suggested for when the leader "
        "approves one (`cluster`, `substance`, `other`); omitted: every kind. The leader "
        "picks who gets each warning.",
    )


class WarningContact(RequestBody):
    name: ShortText = Field(description="Who it is: a service, a role or a staff member")
    mobile: MobileStr = Field(description="A Norwegian mobile number; stored as E.164.")
    kinds: list[WarningKind] = _kinds_field()

    @field_validator("kinds")
    @classmethod
    def _kinds_once(cls, values: list[WarningKind]) -> list[WarningKind]:
        return each_once(values, "kind")


class ExternalRecipient(RequestBody):
    """Someone outside the service who gets the municipality's warnings (e.g. Oslo for
    Fredrikstad): by SMS, by e-mail (sent by the leader: odvarsel sends no e-mail), or both."""

    name: ShortText = Field(description="Who it is, e.g. «Oslo kommune, Rusetaten»")
    municipality: ShortText | None = Field(
        default=None, description="The municipality or body it belongs to, as staff read it"
    )
    mobile: MobileStr | None = Field(
        default=None, description="A Norwegian mobile number for the SMS; stored as E.164."
    )
    email: Email | None = Field(
        default=None,
        description="An e-mail address: listed as «to be sent by e-mail» when chosen.",
    )
    kinds: list[WarningKind] = _kinds_field()

    @field_validator("kinds")
    @classmethod
    def _kinds_once(cls, values: list[WarningKind]) -> list[WarningKind]:
        return each_once(values, "kind")

    _reachable = one_at_least("mobile", "email", message="give mobile or email (or both)")


class WarningContacts(RequestBody):
    """Who a municipality's approved warnings reach."""

    model_config = with_examples(
        {
            "contacts": [
                {"name": "Feltpleien vakttelefon", "mobile": "+4791234567"},
                {"name": "Sprøyterommet", "mobile": "+4798765432"},
            ],
            "neighbours": ["3105", "0301"],
            "external": [
                {
                    "name": "Oslo kommune, Rusetaten",
                    "municipality": "Oslo",
                    "mobile": "+4790000301",
                    "email": "varsel@rusetaten.oslo.kommune.no",
                    "kinds": ["substance"],
                }
            ],
        }
    )

    contacts: list[WarningContact] = Field(
        max_length=200, description="Each gets the warning by SMS when it is approved."
    )
    neighbours: list[MunicipalityCode] = Field(
        max_length=50,
        json_schema_extra={"uniqueItems": True},
        description="Municipalities served by odvarsel whose leaders receive the warnings in "
        "their list of incoming warnings (a neighbour not served: add it to `external`).",
    )
    external: list[ExternalRecipient] = Field(
        default_factory=list,
        max_length=MAX_EXTERNAL,
        description="Recipients outside the service (e.g. a municipality odvarsel does not "
        "serve): the leader may choose them when approving a warning. Omitted: none.",
    )

    @field_validator("contacts")
    @classmethod
    def _distinct_mobiles(cls, values: list[WarningContact]) -> list[WarningContact]:
        return each_once(values, "mobile number", key=lambda contact: contact.mobile)

    @field_validator("neighbours")
    @classmethod
    def _distinct(cls, values: list[str]) -> list[str]:
        return each_once(values, "municipality")


class ClusterRuleIn(RequestBody):
    area: AreaKind = AreaKind.MUNICIPALITY
    min_count: Integer = Field(default=3, ge=2, le=100, description="N overdoses …")
    window_hours: Number = Field(default=6, ge=0.5, le=168, description="… within H hours")
    radius_km: Number | None = Field(
        default=None, ge=0.05, le=100, description="For `radius`: km from an overdose"
    )

    @model_validator(mode="after")
    def _radius(self) -> Self:
        if self.area is AreaKind.RADIUS and self.radius_km is None:
            raise ValueError("a radius area needs radius_km")
        if self.area is not AreaKind.RADIUS and self.radius_km is not None:
            raise ValueError("radius_km is only for a radius area")
        return self


class DistrictIn(RequestBody):
    """A district (bydel) the municipality draws for its district rules."""

    name: DistrictName = Field(
        description=f"1-{MAX_DISTRICT_NAME} characters, no control characters; unique in the "
        "municipality (ignoring case). Signals of the district name it.",
        examples=["Sentrum"],
    )
    boundary: list[tuple[Latitude, Longitude]] = Field(
        min_length=MIN_BOUNDARY_POINTS,
        max_length=MAX_BOUNDARY_POINTS,
        description=f"{MIN_BOUNDARY_POINTS}-{MAX_BOUNDARY_POINTS} [latitude, longitude] points "
        "(WGS 84 degrees) in order around the district; it closes itself (the last point may "
        "repeat the first). A simple polygon: its edges never cross or touch, and it encloses "
        "an area. An overdose on the boundary is inside.",
    )

    @field_validator("boundary")
    @classmethod
    def _simple_polygon(cls, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        problem = boundary_problem(points)
        if problem is not None:
            raise ValueError(problem)
        return points


class ClusterRules(RequestBody):
    """How clusters are detected in a municipality: each rule raises its own signals."""

    model_config = with_examples(
        {
            "rules": [
                {"area": "municipality", "min_count": 4, "window_hours": 6},
                {"area": "radius", "min_count": 3, "window_hours": 6, "radius_km": 1},
            ]
        }
    )

    rules: list[ClusterRuleIn] = Field(
        max_length=10,
        description="None: no cluster detection. N events count together when the first and "
        "the last are at most H hours apart (inclusive), by when they happened.",
    )
    districts: list[DistrictIn] = Field(
        default_factory=list,
        max_length=MAX_DISTRICTS,
        description="The municipality's districts (bydeler), for `district` rules: an alert "
        "counts in the district whose boundary holds its coordinates (the first listed, "
        "where districts overlap); alerts without coordinates, or outside every district, "
        "count in none. A `district` rule needs at least one. Omitted: none.",
    )


class ClusterRulesDoc(ClusterRules):
    configured: bool = Field(description="False: the default rules")
