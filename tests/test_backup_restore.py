"""A PostgreSQL backup restores into a fresh database on which the service answers and pages.

The commands are the README's ("Backups and restore"): `pg_dump --format=custom`, then
`createdb` and `pg_restore` into the new database. The keys (CRYPTO__*, AUTH__JWT_SECRET) are
not in the dump; the restored service is given the same ones, as a restore must be.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.config import Settings
from app.followup.cases.models import FollowupCase
from app.main import create_app
from app.notify.console_sender import ConsoleSender
from app.state import AppState
from tests.databases import BACKEND
from tests.factories import alert_body
from tests.personal_data import NAME, case_system, details, personal_body
from tests.scenario import Scenario, page_on_duty

pytestmark = [
    pytest.mark.skipif(BACKEND != "postgresql", reason="a PostgreSQL backup (pg_dump)"),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed"),
]


def _server(database_url: str) -> list[str]:
    """libpq's connection options for the server of `database_url`."""
    url = make_url(database_url)
    return [
        f"--host={url.host or '127.0.0.1'}",
        f"--port={url.port or 5432}",
        f"--username={url.username or 'postgres'}",
    ]


def _run(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.fixture
async def restored_url(settings: Settings) -> AsyncIterator[str]:
    """The name of a fresh database for the restore, dropped afterwards."""
    url = make_url(settings.database_url).set(database=f"restored_{uuid.uuid4().hex[:10]}")
    yield url.render_as_string(hide_password=False)
    _run("dropdb", *_server(settings.database_url), "--if-exists", "--force", str(url.database))


async def test_a_backup_restores_and_the_restored_service_pages(
    scenario: Scenario, settings: Settings, restored_url: str, tmp_path: Path
) -> None:
    team = await scenario.team()
    await scenario.policy(page_on_duty())
    reader = await case_system(scenario)
    body = personal_body()
    alert = await scenario.alert(body=body)
    await scenario.settle()
    assert await scenario.take(alert, team.member_ids[0]) is not None

    backup = tmp_path / "odvarsel.dump"
    database = str(make_url(settings.database_url).database)
    server = _server(settings.database_url)
    _run("pg_dump", *server, "--format=custom", "--no-owner", f"--file={backup}", database)
    restored = str(make_url(restored_url).database)
    _run("createdb", *server, restored)
    _run(
        "pg_restore", *server, "--no-owner", "--exit-on-error", f"--dbname={restored}", str(backup)
    )

    app = create_app(
        settings.model_copy(update={"database_url": restored_url}), clock=scenario.clock
    )
    async with app.router.lifespan_context(app):
        state: AppState = app.state.odvarsel
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://restored") as http:
            amk = await scenario.headers()
            status = await http.get(f"/v1/alerts/{alert}", headers=amk)
            assert status.status_code == 200 and status.json()["status"] == "acknowledged"
            opened = await details(http, reader, str(alert))
            assert opened.status_code == 200 and NAME in opened.text, "the keys open it"
            again = await http.post("/v1/alerts", json=body, headers=amk)
            assert again.status_code == 200, "a retry is still recognised by its hash"
            async with state.sessions() as session:
                assert await session.scalar(select(func.count()).select_from(FollowupCase)) == 1

            new = await http.post("/v1/alerts", json=alert_body(), headers=amk)
            assert new.status_code == 201, new.text
            await state.worker.run_until_idle()
            assert isinstance(state.sender, ConsoleSender)
            paged = [m.to for m in state.sender.outbox]
            assert paged == [team.mobiles[team.member_ids[0]]], "the restored service pages"
            assert (await http.get("/readyz")).status_code == 200
