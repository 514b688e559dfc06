"""The admin API of each municipality's follow-up templates (scope `admin`): its own, or the
default."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path

from app.api.admin import PREFIX, REQUIRE_ADMIN, Admin, MunicipalityCode
from app.api.responses import AUTH_PROBLEMS, INVALID, NOT_FOUND
from app.followup.template_schema import FollowupTemplate, TemplateKind
from app.followup.templates import service
from app.followup.templates.schemas import TemplateOut, template_example

router = APIRouter(
    prefix=f"{PREFIX}/municipalities/{{code}}/followup-templates/{{kind}}",
    tags=["admin: follow-up"],
    dependencies=REQUIRE_ADMIN,
    responses=AUTH_PROBLEMS,
)

Kind = Annotated[TemplateKind, Path(description="`survivor` or `fatal`")]


@router.get(
    "",
    summary="Get a follow-up template",
    description="The municipality's own, or the default (`source`).",
    responses=NOT_FOUND,
)
async def get_followup_template(code: MunicipalityCode, kind: Kind, admin: Admin) -> TemplateOut:
    return await service.template_of(admin, municipality_code=code, kind=kind)


@router.put(
    "",
    summary="Set a follow-up template",
    description="Replaces the municipality's template of this kind. Validated: unique step "
    "keys, known owner roles and conditions, offsets of 0 hours or more, a companion for "
    "visits, at least one required step without a condition. Cases already open keep the "
    "steps they were opened with.",
    responses={**NOT_FOUND, **INVALID},
)
async def put_followup_template(
    code: MunicipalityCode,
    kind: Kind,
    template: Annotated[FollowupTemplate, Body(examples=[template_example()])],
    admin: Admin,
) -> TemplateOut:
    return await service.set_template(admin, municipality_code=code, kind=kind, template=template)
