"""`odvarsel apply`: a municipality file applied in one transaction, part by part, through
the services the admin API uses. Each part changes only what differs from the file, so a
second apply of the same file changes nothing and says so.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.apply.clients import apply_clients
from app.apply.documents import apply_settings, apply_templates
from app.apply.report import ADDED, Applying, Refusal, Report
from app.apply.reporters import apply_reporters
from app.apply.schema import MunicipalityFile
from app.apply.teams import apply_teams
from app.roster.teams import service as team_service


async def apply_file(
    session: AsyncSession, file: MunicipalityFile, *, now: datetime, prune: bool
) -> Report:
    """Apply the file in the caller's transaction (the caller rolls back a dry run);
    ApplyFailed names the part a service refused."""
    ctx = Applying(session, now, file.municipality.code, prune, Report())
    async with Refusal("municipality"):
        await _municipality(ctx, file)
    if file.settings is not None:
        await apply_settings(ctx, file.settings)
    if file.templates is not None:
        await apply_templates(ctx, file.templates)
    if file.teams is not None:
        await apply_teams(ctx, file.teams)
    if file.clients is not None:
        await apply_clients(ctx, file.clients)
    if file.reporters:
        await apply_reporters(ctx, file.reporters)
    await session.flush()
    return ctx.report


async def _municipality(ctx: Applying, file: MunicipalityFile) -> None:
    wanted = file.municipality
    served = {m.code: m for m in await team_service.list_municipalities(ctx.admin)}
    current = served.get(wanted.code)
    if current is None:
        await team_service.create_municipality(ctx.session, municipality_in=wanted, now=ctx.now)
        await ctx.session.flush()
        ctx.report.change(ADDED, f"municipality {wanted.code} {wanted.name}")
    elif current.name != wanted.name:
        ctx.report.note(
            f"municipality {wanted.code} is served as {current.name!r}: its name is not changed"
        )
