"""Demo data for `make run` and `odvarsel seed-demo`: the municipality file
demo/3107-fredrikstad.yaml (3107 Fredrikstad, a team on duty around the clock, a dispatch
client), applied as `odvarsel apply` applies any file, and then the dev-only secret the README
uses for the demo client. The CLI refuses `seed-demo` in production.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from app.apply import reading
from app.apply.report import CHANGED, Report
from app.apply.service import apply_file
from app.auth import service as auth_service
from app.auth.municipalities import EVERY_MUNICIPALITY

DEMO_FILE = Path(__file__).resolve().parent.parent / "demo" / "3107-fredrikstad.yaml"
DEMO_CLIENT_ID = "demo-amk"
DEMO_CLIENT_SECRET = "demo-secret-only-for-make-run"


async def seed_demo(session: AsyncSession, *, now: datetime, file: Path = DEMO_FILE) -> Report:
    """Apply the demo file; give its client the documented secret. Idempotent."""
    report = await apply_file(session, reading.read(file), now=now, prune=False)
    # The client's made secret is replaced at once: the README's is the one to use.
    report.secrets = [(c, s) for c, s in report.secrets if c != DEMO_CLIENT_ID]
    if not await auth_service.has_secret(
        session, client_id=DEMO_CLIENT_ID, secret=DEMO_CLIENT_SECRET
    ):
        await auth_service.rotate_secret(
            session,
            client_id=DEMO_CLIENT_ID,
            municipalities=EVERY_MUNICIPALITY,
            caller_scopes=None,
            secret=DEMO_CLIENT_SECRET,
        )
        report.change(CHANGED, f"client {DEMO_CLIENT_ID}: the demo secret (development only)")
    return report
