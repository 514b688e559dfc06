"""`odvarsel retention report`: purged, overdue and next-due figures that match a scenario; the
commands themselves; the municipality's own period through the admin API and `odvarsel apply`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo import DEMO_FILE
from app.retention import report, service
from app.retention.rules import Category
from app.state import AppState
from tests.cli import Odvarsel, in_database
from tests.retention.harness import DAYS, close, desk, opened, retention_pass
from tests.scenario import Scenario


async def build(state: AppState, municipality: str | None = None) -> dict[Category, report.Line]:
    async with state.sessions() as session:
        built = await report.build(
            session, state.settings.retention, now=state.clock.now(), municipality_code=municipality
        )
    return {line.category: line for line in built.lines}


async def test_the_report_shows_purged_due_and_overdue_as_they_are(
    scenario: Scenario, state: AppState
) -> None:
    await desk(scenario)
    start = state.clock.now()
    _, first = await opened(scenario)
    _, second = await opened(scenario)
    await opened(scenario)  # never closed
    await close(scenario, first)
    scenario.advance(10 * DAYS)
    await close(scenario, second)
    scenario.advance(81 * DAYS)  # 91 days on: the first is overdue, the second due in 9 days

    lines = await build(state)
    case = lines[Category.CASE]
    assert (case.period, case.purged, case.overdue, case.upcoming) == (90 * DAYS, 0, 1, 1)
    assert case.next_due == start + 100 * DAYS
    flagged = lines[Category.FLAGGED]
    assert (flagged.purged, flagged.overdue) == (0, 1), "the open case is due to be flagged"
    assert lines[Category.ALERT].overdue == 0

    await retention_pass(state)
    lines = await build(state)
    case = lines[Category.CASE]
    assert (case.purged, case.overdue, case.upcoming) == (1, 0, 1)
    assert (lines[Category.FLAGGED].purged, lines[Category.FLAGGED].overdue) == (1, 0)
    async with state.sessions() as session:
        built = await report.build(session, state.settings.retention, now=state.clock.now())
    assert built.flagged == 1
    printed = report.render(built)
    assert "never-closed cases flagged to their leader: 1" in printed
    assert any(row.split()[:5] == ["case", "90", "d", "1", "0"] for row in printed.splitlines())

    elsewhere = await build(state, "0301")
    assert (elsewhere[Category.CASE].purged, elsewhere[Category.CASE].upcoming) == (0, 0)

    scenario.advance(9 * DAYS)
    assert (await build(state))[Category.CASE].overdue == 1, "the second is due now"


async def test_the_municipalitys_own_period_decides(scenario: Scenario, state: AppState) -> None:
    await desk(scenario)
    admin = await scenario.client("admin")
    put = await scenario.http.put(
        "/v1/admin/municipalities/3107/retention", json={"case_days": 30}, headers=admin.headers
    )
    assert put.status_code == 200, put.text
    _, case_id = await opened(scenario)
    await close(scenario, case_id)
    scenario.advance(30 * DAYS - timedelta(minutes=1))
    assert (await retention_pass(state))[Category.CASE] == 0
    assert (await build(state, "3107"))[Category.CASE].period == 30 * DAYS
    assert (await build(state))[Category.CASE].period is None, "the periods differ"
    scenario.advance(timedelta(minutes=1))
    assert (await retention_pass(state))[Category.CASE] == 1


def test_the_commands_print_the_report_and_run_a_pass(odvarsel: Odvarsel) -> None:
    shown = odvarsel("retention", "report")
    assert shown.exit_code == 0, shown.output
    assert "case" in shown.stdout and "access_log" in shown.stdout
    assert "never-closed cases flagged to their leader: 0" in shown.stdout
    one = odvarsel("retention", "report", "--municipality", "3107")
    assert one.exit_code == 0 and "municipality 3107" in one.stdout
    wrong = odvarsel("retention", "report", "--municipality", "31")
    assert wrong.exit_code == 2 and "4 digits" in wrong.output
    ran = odvarsel("retention", "run")
    assert ran.exit_code == 0, ran.output
    assert "case: 0" in ran.stdout and "used_once: 0" in ran.stdout


def test_apply_sets_the_municipalitys_period(odvarsel: Odvarsel, tmp_path: Path) -> None:
    data = yaml.safe_load(DEMO_FILE.read_text())
    data["settings"]["retention"] = {"case_days": 45}
    path = tmp_path / "muni.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    applied = odvarsel("apply", path)
    assert applied.exit_code == 0, applied.output

    async def period(session: AsyncSession) -> int | None:
        return (await service.settings_of(session, "3107")).case_days

    assert in_database(period) == 45
