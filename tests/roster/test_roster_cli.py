"""The roster commands of the `odvarsel` CLI, run against a fresh test database."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import FakeClock
from app.escalation.policy import rules as rules
from app.escalation.policy import service as policy_service
from app.roster.models import Municipality
from app.roster.rota import duty as roster_duty
from app.roster.rota.oncall import OSLO
from app.roster.teams import repository as roster_repository
from tests.cli import Odvarsel, in_database
from tests.cli import odvarsel as odvarsel


def test_seed_demo_adds_a_team_on_duty_around_the_clock_once(odvarsel: Odvarsel, clock: FakeClock):
    first = odvarsel("seed-demo")
    assert first.exit_code == 0, first.output
    assert "team Ressursteam overdose" in first.stdout
    assert odvarsel("seed-demo").stdout.strip() == "no change"

    async def check(session: AsyncSession) -> None:
        team = await roster_duty.team_for_municipality(session, code="3107")
        assert team is not None and team.name == "Ressursteam overdose"
        members = await roster_repository.list_members(session, team_id=team.id)
        assert sorted(m.mobile for m in members) == ["+4790000001", "+4790000002", "+4790000003"]
        assert {m.is_health_personnel for m in members} == {True, False}
        now = clock.now()
        for days in range(0, 21, 3):
            view, _ = await roster_duty.team_view(
                session, team_id=team.id, at=now + timedelta(days=days, hours=days)
            )
            assert len(view.on_duty) == 1 and view.leader_id is not None
        policy = await policy_service.load_policy(session, team_id=team.id)
        assert policy.steps == rules.DEFAULT_POLICY.steps
        assert (policy.repeat, policy.fallback_number) == (1, "+4790000009")

    in_database(check)
    holes = odvarsel("roster-holes")
    assert holes.exit_code == 0, holes.output
    assert "Ressursteam overdose: 0 hole(s) in the next 7 days" in holes.stdout


def test_add_team_members_and_import_a_rota(odvarsel: Odvarsel, tmp_path: Path, clock: FakeClock):
    assert odvarsel("seed-demo").exit_code == 0
    added = odvarsel("add-team", "--municipality", "3107", "--name", "Nattevakt")
    assert added.exit_code == 0, added.output
    team_id = uuid.UUID(added.stdout.strip())
    kari = odvarsel(
        "add-member", team_id, "--name", "Kari Nordmann", "--mobile", "412 34 567",
        "--role", "sykepleier", "--health-personnel", "--email", "kari@fredrikstad.kommune.no",
        "--leader",
    )  # fmt: skip
    assert kari.exit_code == 0, kari.output
    kari_id = uuid.UUID(kari.stdout.strip())
    refused = odvarsel(
        "add-member", team_id, "--name", "Ola", "--mobile", "69 00 00 00", "--role", "leder"
    )
    assert refused.exit_code == 1
    assert "error: mobile: not a Norwegian mobile number" in refused.stderr
    assert "69 00" not in refused.output

    tomorrow = (clock.now().astimezone(OSLO) + timedelta(days=1)).date()
    day = f"{tomorrow:%Y%m%d}"
    ics = tmp_path / "rota.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Nattevakt\r\nDTSTART;TZID=Europe/Oslo:{day}T080000\r\n"
        f"DTEND;TZID=Europe/Oslo:{day}T160000\r\n"
        "ATTENDEE;CN=Kari:mailto:KARI@fredrikstad.kommune.no\r\nEND:VEVENT\r\n"
        f"BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Per Vikar\r\nDTSTART;TZID=Europe/Oslo:{day}T160000\r\n"
        f"DTEND;TZID=Europe/Oslo:{day}T220000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    # An event left unmatched (Per Vikar) is listed, and the exit status says so.
    dry = odvarsel("import-rota", team_id, ics, "--dry-run")
    assert dry.exit_code == 1 and "would import 1 shift(s)" in dry.stdout
    imported = odvarsel("import-rota", team_id, ics)
    assert imported.exit_code == 1, imported.output
    assert "imported 1 shift(s), replacing 0" in imported.stdout
    assert (
        f"{tomorrow:%Y-%m-%d} 08:00 to {tomorrow:%Y-%m-%d} 16:00  Kari Nordmann" in imported.stdout
    )
    assert f"not imported: Per Vikar at {tomorrow:%Y-%m-%d} 16:00" in imported.stderr

    async def check(session: AsyncSession) -> None:
        team = await roster_repository.get_team(session, team_id)
        assert team is not None and team.leader_member_id == kari_id
        assert not team.receives_alerts
        at = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 12, tzinfo=OSLO)
        view, _ = await roster_duty.team_view(session, team_id=team_id, at=at)
        assert view.on_duty == (str(kari_id),)

    in_database(check)
    # Only teams that receive alerts are checked, unless asked for all.
    assert odvarsel("roster-holes").exit_code == 0
    every = odvarsel("roster-holes", "--all-teams")
    assert every.exit_code == 1
    assert "3107 Fredrikstad / Nattevakt: 2 hole(s) in the next 7 days" in every.stdout
    assert f"  {tomorrow:%Y-%m-%d} 16:00 to " in every.stdout


def test_roster_holes_fails_for_a_municipality_whose_alerts_reach_nobody(
    odvarsel: Odvarsel, clock: FakeClock
):
    assert odvarsel("seed-demo").exit_code == 0

    async def add_oslo(session: AsyncSession) -> None:
        oslo = Municipality(code="0301", name="Oslo", created_at=clock.now())
        roster_repository.add_municipality(session, oslo)

    in_database(add_oslo)
    holes = odvarsel("roster-holes", "--days", "2")
    assert holes.exit_code == 1
    assert "0301 Oslo: no team receives the alerts" in holes.stdout
    assert "Ressursteam overdose: 0 hole(s) in the next 2 days" in holes.stdout

    added = odvarsel("add-team", "--municipality", "0301", "--name", "Oslo", "--receives-alerts")
    assert added.exit_code == 0, added.output
    holes = odvarsel("roster-holes")
    assert holes.exit_code == 1
    assert "0301 Oslo / Oslo: 1 hole(s) in the next 7 days" in holes.stdout
    second = odvarsel("add-team", "--municipality", "0301", "--name", "MOT", "--receives-alerts")
    assert second.exit_code == 1
    assert "receives the alerts of municipality 0301 already" in second.stderr


def test_the_cli_takes_a_basis(odvarsel: Odvarsel) -> None:
    assert odvarsel("seed-demo").exit_code == 0
    added = odvarsel("add-team", "--municipality", "3107", "--name", "Nattevakt")
    assert added.exit_code == 0, added.output
    team_id = added.stdout.strip()
    base = ("add-member", team_id, "--role", "sykepleier")
    cases = [
        (("--health-personnel-basis", "municipal_care_role"), (True, "municipal_care_role")),
        (("--health-personnel",), (True, "authorisation")),
        ((), (False, None)),
    ]
    for i, (options, _) in enumerate(cases):
        done = odvarsel(*base, "--name", f"M{i}", "--mobile", f"+479100000{i}", *options)
        assert done.exit_code == 0, done.output
    refused = odvarsel(
        *base, "--name", "X", "--mobile", "+4791000009",
        "--no-health-personnel", "--health-personnel-basis", "authorisation",
    )  # fmt: skip
    assert refused.exit_code == 1
    assert "error: health_personnel_basis: contradicts is_health_personnel" in refused.stderr

    async def stored(session: AsyncSession) -> dict[str, tuple[bool, str | None]]:
        found = await roster_repository.list_members(session, team_id=uuid.UUID(team_id))
        return {m.name: (m.is_health_personnel, m.health_personnel_basis) for m in found}

    assert in_database(stored) == {f"M{i}": expected for i, (_, expected) in enumerate(cases)}


def test_the_demo_team_has_bases(odvarsel: Odvarsel) -> None:
    assert odvarsel("seed-demo").exit_code == 0

    async def bases(session: AsyncSession) -> set[tuple[bool, str | None]]:
        team = await roster_duty.team_for_municipality(session, code="3107")
        assert team is not None
        return {
            (m.is_health_personnel, m.health_personnel_basis)
            for m in await roster_repository.list_members(session, team_id=team.id)
        }

    assert in_database(bases) == {
        (True, "municipal_care_role"),
        (True, "authorisation"),
        (False, None),
    }
