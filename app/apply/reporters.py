"""The file's `reporters`: the crews' sign-in accounts for the form (ambulance, AMK, legevakt,
Feltpleien), bound to the municipalities they may report for.

The extension point for the form's accounts: `MunicipalityFile.reporters` is read and
validated as a list of mappings now, and this step reports that it applies none. When the
reporters' service lands with the form, `ReporterFile` takes the place of the mappings and
this step applies them as `teams.py` applies members (matched, changed, reported, pruned).
"""

from __future__ import annotations

from typing import Any

from app.apply.report import Applying


async def apply_reporters(ctx: Applying, reporters: list[dict[str, Any]]) -> None:
    ctx.report.note(
        f"reporters: {len(reporters)} in the file, not applied: reporters' accounts come "
        "with the crews' form"
    )
