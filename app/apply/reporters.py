"""The file's `reporters`: the crews' sign-in accounts for the form (ambulance, AMK, legevakt,
Feltpleien), applied through the reporters' service as the admin API applies them. A reporter
is found by mobile (or, without one, by name); `municipalities` defaults to the file's
municipality. Reporters bound to this municipality alone that the file leaves out are
reported, and deactivated with `--prune`.
"""

from __future__ import annotations

from app.apply.report import ADDED, CHANGED, REMOVED, Applying, Refusal
from app.reporters import service as reporter_service
from app.reporters.schemas import ReporterIn


def _key(mobile: str | None, name: str) -> str:
    return mobile or f"name:{name}"


async def apply_reporters(ctx: Applying, reporters: list[ReporterIn]) -> None:
    for index, body in enumerate(reporters):
        async with Refusal(f"reporters[{index}]"):
            done = await reporter_service.upsert(ctx.admin, body)
        if done.created:
            ctx.report.change(ADDED, f"reporter {body.name}")
        elif done.changed:
            ctx.report.change(CHANGED, f"reporter {body.name}")
    named = {_key(r.mobile, r.name) for r in reporters}
    for reporter in await reporter_service.listed(ctx.admin):
        if (
            not reporter.active
            or reporter.municipalities != [ctx.code]
            or _key(reporter.mobile, reporter.name) in named
        ):
            continue
        if not ctx.prune:
            ctx.report.note(f"reporter {reporter.name} is not in the file: left active (--prune)")
            continue
        await reporter_service.deactivate(ctx.admin, reporter.id)
        ctx.report.change(REMOVED, f"reporter {reporter.name}: deactivated")
