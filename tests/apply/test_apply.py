"""`odvarsel apply`: a municipality in one YAML file, applied idempotently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import service as auth_service
from app.auth.municipalities import EVERY_MUNICIPALITY
from app.demo import DEMO_FILE
from app.escalation.policy import service as policy_service
from app.roster.rota import duty as roster_duty
from app.roster.rota import repository as rota_repository
from app.roster.teams import repository as roster_repository
from app.triage import service as triage_service
from tests.cli import Odvarsel, in_database, snapshot


def demo() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEMO_FILE.read_text())
    return data


def write(tmp_path: Path, data: dict[str, Any], name: str = "muni.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def test_a_second_apply_reports_no_change_and_writes_nothing(odvarsel: Odvarsel):
    first = odvarsel("apply", DEMO_FILE)
    assert first.exit_code == 0, first.output
    assert "+ municipality 3107 Fredrikstad" in first.stdout
    assert "+ member Kari Solberg of Ressursteam overdose" in first.stdout
    assert "+ rotation Ukevakt of Ressursteam overdose" in first.stdout
    assert "~ settings answer-options: places" in first.stdout
    assert "client_secret demo-amk=" in first.stdout
    before = snapshot()

    second = odvarsel("apply", DEMO_FILE)
    assert second.exit_code == 0, second.output
    assert second.stdout == "no change\n"
    assert snapshot() == before, "the second apply wrote to the database"

    async def check(session: AsyncSession) -> None:
        team = await roster_duty.team_for_municipality(session, code="3107")
        assert team is not None and team.leader_member_id is not None
        members = await roster_repository.list_members(session, team_id=team.id)
        assert sorted(m.name for m in members) == ["Ingrid Haugen", "Jonas Berg", "Kari Solberg"]
        assert len(await rota_repository.list_rotations(session, team_id=team.id)) == 1
        policy = await policy_service.get_policy(session, team.id)
        assert policy.configured and policy.fallback_number == "+4790000009"
        table = await triage_service.get_table(session, "3107")
        assert table.configured and str(table.working_hours.end).startswith("15:30")

    in_database(check)


def test_a_dry_run_prints_the_difference_and_changes_nothing(odvarsel: Odvarsel, tmp_path: Path):
    empty = snapshot()
    dry = odvarsel("apply", DEMO_FILE, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "+ team Ressursteam overdose" in dry.stdout
    assert "dry run: " in dry.stdout and "nothing was written" in dry.stdout
    assert "client_secret" not in dry.stdout
    assert snapshot() == empty

    assert odvarsel("apply", DEMO_FILE).exit_code == 0
    applied = snapshot()
    data = demo()
    data["teams"][0]["members"][1]["mobile"] = "+4790000004"
    data["settings"]["followup-settings"]["repeat_window_days"] = 60
    changed = odvarsel("apply", write(tmp_path, data), "--dry-run")
    assert changed.exit_code == 0, changed.output
    assert changed.stdout.splitlines()[:2] == [
        "~ settings followup-settings: repeat_window_days",
        "~ member Jonas Berg of Ressursteam overdose: mobile",
    ]
    assert snapshot() == applied


def test_members_and_clients_left_out_are_deactivated_only_with_prune(
    odvarsel: Odvarsel, tmp_path: Path
):
    assert odvarsel("apply", DEMO_FILE).exit_code == 0
    data = demo()
    jonas = data["teams"][0]["members"].pop(1)
    data["teams"][0]["rotations"][0]["members"].remove("Jonas Berg")
    data["clients"] = []
    file = write(tmp_path, data)

    kept = odvarsel("apply", file)
    assert kept.exit_code == 0, kept.output
    assert "- rotation Ukevakt of Ressursteam overdose" in kept.stdout
    assert "+ rotation Ukevakt of Ressursteam overdose" in kept.stdout
    assert "! member Jonas Berg of Ressursteam overdose is not in the file" in kept.stdout
    assert "! client demo-amk is not in the file" in kept.stdout

    pruned = odvarsel("apply", file, "--prune")
    assert pruned.exit_code == 0, pruned.output
    assert "- member Jonas Berg of Ressursteam overdose: deactivated" in pruned.stdout
    assert "- client demo-amk: deactivated" in pruned.stdout
    assert odvarsel("apply", file, "--prune").stdout == "no change\n"

    async def active(session: AsyncSession) -> dict[str, bool]:
        team = await roster_duty.team_for_municipality(session, code="3107")
        assert team is not None
        members = await roster_repository.list_members(
            session, team_id=team.id, include_inactive=True
        )
        clients = await auth_service.list_clients(session, municipalities=EVERY_MUNICIPALITY)
        return {m.name: m.active for m in members} | {c.id: c.active for c in clients}

    assert in_database(active) == {
        "Kari Solberg": True,
        "Ingrid Haugen": True,
        "Jonas Berg": False,
        "demo-amk": False,
        "odvarsel-skjema": False,  # the form's own client, made with the demo's reporter
    }
    # Named again, the member is reactivated; the client stays off (a new id is needed).
    data["teams"][0]["members"].append(jonas)
    data["clients"] = demo()["clients"]
    again = odvarsel("apply", write(tmp_path, data))
    assert "+ member Jonas Berg of Ressursteam overdose: reactivated" in again.stdout
    assert "! client demo-amk is deactivated" in again.stdout
    assert in_database(active)["Jonas Berg"] is True


def test_a_key_left_out_leaves_that_part_as_it_is(odvarsel: Odvarsel, tmp_path: Path):
    assert odvarsel("apply", DEMO_FILE).exit_code == 0
    data = demo()
    team = data["teams"][0]
    for key in ("receives_alerts", "leader", "rotations", "escalation-policy"):
        del team[key]
    del data["settings"]
    del data["clients"]
    data["teams"].append({"name": "Nattevakt"})
    del data["reporters"]
    partial = odvarsel("apply", write(tmp_path, data))
    assert partial.exit_code == 0, partial.output
    assert partial.stdout.splitlines() == ["+ team Nattevakt", "1 change(s) applied"]


def test_reporters_are_made_changed_and_pruned(odvarsel: Odvarsel, tmp_path: Path):
    data = demo()
    data["reporters"] = [
        {"name": "Per Ambulanse", "mobile": "+4790000005", "reporter_type": "ambulance"},
        {"name": "Kari AMK", "mobile": "+4790000006", "reporter_type": "amk"},
    ]
    made = odvarsel("apply", write(tmp_path, data))
    assert made.exit_code == 0, made.output
    assert "+ reporter Per Ambulanse" in made.stdout
    assert "+ reporter Kari AMK" in made.stdout
    assert odvarsel("apply", write(tmp_path, data)).stdout.splitlines() == ["no change"]

    data["reporters"][0]["unit"] = "Ambulanse 31"
    del data["reporters"][1]
    changed = odvarsel("apply", write(tmp_path, data))
    assert "~ reporter Per Ambulanse" in changed.stdout
    assert "! reporter Kari AMK is not in the file: left active (--prune)" in changed.stdout
    pruned = odvarsel("apply", "--prune", write(tmp_path, data))
    assert "- reporter Kari AMK: deactivated" in pruned.stdout


def test_a_bad_reporter_names_its_place_in_the_file(odvarsel: Odvarsel, tmp_path: Path):
    data = demo()
    data["reporters"] = [{"name": "Per Ambulanse", "reporter_type": "ambulance"}]
    refused = odvarsel("apply", write(tmp_path, data))
    assert refused.exit_code == 1
    assert "reporters[0]" in refused.output


def test_a_client_is_made_changed_and_its_secret_printed_once(odvarsel: Odvarsel, tmp_path: Path):
    data = demo()
    data["clients"].append({"id": "amk-ost", "name": "AMK Øst", "scopes": ["alerts:write"]})
    made = odvarsel("apply", write(tmp_path, data))
    assert made.exit_code == 0, made.output
    assert "+ client amk-ost" in made.stdout
    assert made.stdout.count("client_secret amk-ost=") == 1
    data["clients"][1]["scopes"] = ["alerts:write", "alerts:read"]
    changed = odvarsel("apply", write(tmp_path, data))
    assert "~ client amk-ost: scopes" in changed.stdout
    assert "client_secret" not in changed.stdout

    async def scopes(session: AsyncSession) -> list[str]:
        clients = await auth_service.list_clients(session, municipalities=EVERY_MUNICIPALITY)
        return next(c.scopes for c in clients if c.id == "amk-ost")

    assert in_database(scopes) == ["alerts:read", "alerts:write"]


def test_policy_members_are_named_and_a_refused_part_applies_nothing(
    odvarsel: Odvarsel, tmp_path: Path
):
    data = demo()
    data["teams"][0]["escalation-policy"]["steps"].append(
        {"delay_minutes": 5, "targets": [{"kind": "members", "members": ["Ingrid Haugen"]}]}
    )
    assert odvarsel("apply", write(tmp_path, data)).exit_code == 0
    after_first = snapshot()
    data["settings"]["warning-contacts"]["neighbours"] = ["0301"]  # not served
    refused = odvarsel("apply", write(tmp_path, data))
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: ")
    assert "settings.warning-contacts: " in refused.stderr
    assert "nothing was applied" in refused.stderr
    assert snapshot() == after_first


def test_a_bad_file_is_one_line_naming_the_yaml_path(odvarsel: Odvarsel, tmp_path: Path):
    data = demo()
    data["teams"][0]["members"][2]["mobile"] = "69 00 00 00"
    bad = odvarsel("apply", write(tmp_path, data))
    assert bad.exit_code == 1
    assert bad.stdout == ""
    assert bad.stderr.splitlines() == [
        f"error: {tmp_path / 'muni.yaml'}: teams[0].members[2].mobile: "
        "not a Norwegian mobile number (+47 4xxxxxxx or 9xxxxxxx)"
    ]
    data = demo()
    data["teams"][0]["leader"] = "Ola"
    unknown = odvarsel("apply", write(tmp_path, data))
    assert "teams[0]: names no member of the team: Ola" in unknown.stderr
    data = demo()
    del data["teams"][0]["members"]
    no_members = odvarsel("apply", write(tmp_path, data))
    assert "teams[0]: leader, rotations and escalation-policy name members" in no_members.stderr
    data = demo()
    data["teams"].append({"name": "Natt", "receives_alerts": True})
    two = odvarsel("apply", write(tmp_path, data))
    assert two.stderr.endswith(": teams: only one team may receive the alerts\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text("municipality:\n  code: '3107\n")
    syntax = odvarsel("apply", broken)
    assert syntax.exit_code == 1 and len(syntax.stderr.splitlines()) == 1
    assert syntax.stderr.startswith(f"error: {broken}:")
    missing = odvarsel("apply", tmp_path / "nowhere.yaml")
    assert missing.exit_code == 1 and "cannot be read" in missing.stderr


def test_yaml_reads_times_and_no_as_text():
    from app.apply.reading import parse

    text = DEMO_FILE.read_text().replace('start: "08:00"', "start: 08:00")
    parsed = parse(text, source="demo")
    assert parsed.settings is not None
    assert str(parsed.settings.triage.working_hours.start).startswith("08:00")
