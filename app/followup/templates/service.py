"""Each municipality's follow-up templates: its own where it set one, else the default.

A template is stored as validated data; a case copies its steps when it opens, so setting a
template never changes a case already open.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.admin import AdminScope
from app.errors import FieldProblem, InvalidFields
from app.followup.template_schema import (
    FollowupTemplate,
    TemplateKind,
    parse_template,
)
from app.followup.templates import repository
from app.followup.templates.defaults import default_template
from app.followup.templates.models import FollowupTemplateRow
from app.followup.templates.schemas import TemplateOut
from app.roster.teams.owners import check_municipality

DEFAULT = "default"
MUNICIPALITY = "municipality"


async def template_for(
    session: AsyncSession, *, municipality_code: str, kind: TemplateKind
) -> tuple[FollowupTemplate, str]:
    """The template a new case of the municipality copies, and where it came from."""
    row = await repository.get_template(session, municipality_code=municipality_code, kind=kind)
    if row is None:
        return default_template(kind), DEFAULT
    return parse_template(row.body), MUNICIPALITY


async def template_of(
    admin: AdminScope, *, municipality_code: str, kind: TemplateKind
) -> TemplateOut:
    """For the admin API: another municipality's template 404s, as an unknown code."""
    await check_municipality(admin.session, municipality_code, admin.municipalities)
    row = await repository.get_template(
        admin.session, municipality_code=municipality_code, kind=kind
    )
    if row is None:
        return TemplateOut(source=DEFAULT, updated_at=None, template=default_template(kind))
    return TemplateOut(
        source=MUNICIPALITY, updated_at=row.updated_at, template=parse_template(row.body)
    )


async def set_template(
    admin: AdminScope, *, municipality_code: str, kind: TemplateKind, template: FollowupTemplate
) -> TemplateOut:
    """Store the municipality's own template of `kind` (validated); open cases keep theirs."""
    await check_municipality(admin.session, municipality_code, admin.municipalities)
    if template.kind is not kind:
        raise InvalidFields(
            [FieldProblem(field="kind", reason=f"this is the {kind.value} template's address")]
        )
    await repository.save_template(
        admin.session,
        FollowupTemplateRow(
            municipality_code=municipality_code,
            kind=kind,
            body=template.model_dump(mode="json"),
            updated_at=admin.now,
        ),
    )
    return TemplateOut(source=MUNICIPALITY, updated_at=admin.now, template=template)
