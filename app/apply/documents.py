"""The settings documents and follow-up templates of a file, applied through the admin API's
seam (`app.api.documents.read` and `write`) and the templates' service.

A document is written inside a savepoint and compared with what it was; a write that changes
nothing is rolled back, so a second apply leaves even `updated_at` as it was.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from app.api.documents import Claim, SettingsDocument, read, write
from app.apply.report import CHANGED, Applying, Refusal, comparable, differing
from app.apply.schema import TemplatesFile
from app.auth.municipalities import EVERY_MUNICIPALITY
from app.followup.template_schema import TemplateKind
from app.followup.templates import service as templates
from app.roster.teams.owners import MUNICIPALITY
from app.settings_documents import DOCUMENTS


async def apply_document(
    ctx: Applying,
    document: SettingsDocument[Any, Any, Any],
    claim: Claim[Any],
    body: BaseModel,
    *,
    label: str,
    where: str,
) -> None:
    """Write `body` if it changes the owner's document; report what it changes."""
    session = ctx.session
    async with Refusal(where):
        before = comparable(await read(session, document, claim))
        savepoint = await session.begin_nested()
        try:
            after = comparable(await write(session, document, claim, body, now=ctx.now))
            await session.flush()
        except BaseException:
            await savepoint.rollback()
            raise
    changed = differing(before, after)
    if not changed:
        await savepoint.rollback()
        return
    await savepoint.commit()
    if before.get("configured") is False:  # the owner had the default; now its own
        changed = ["its own, no longer the default", *(k for k in changed if k != "configured")]
    ctx.report.change(CHANGED, f"{label}: {', '.join(changed)}")


async def apply_settings(ctx: Applying, settings: BaseModel) -> None:
    """Each document the file gives, in the order of the registry."""
    claim = Claim(ctx.code, EVERY_MUNICIPALITY, MUNICIPALITY.check)
    for name, document in DOCUMENTS.items():
        body = getattr(settings, name.replace("-", "_"), None)
        if body is not None:
            await apply_document(
                ctx, document, claim, body, label=f"settings {name}", where=f"settings.{name}"
            )


async def apply_templates(ctx: Applying, file: TemplatesFile) -> None:
    for kind in TemplateKind:
        template = getattr(file, kind.value)
        if template is None:
            continue
        async with Refusal(f"templates.{kind.value}"):
            current = await templates.template_of(ctx.admin, municipality_code=ctx.code, kind=kind)
            if current.source == templates.MUNICIPALITY and current.template == template:
                continue
            await templates.set_template(
                ctx.admin, municipality_code=ctx.code, kind=kind, template=template
            )
        ctx.report.change(CHANGED, f"template {kind.value}: {template.name}")
