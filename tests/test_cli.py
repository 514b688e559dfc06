"""The `odvarsel` CLI as a whole: one app, `--help` on every command, `--version`, and one
line (never a traceback, never a stray ./var) when run from another folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from app.cli import PROJECT, cli
from app.config import DEFAULT_DATA_DIR, Settings

RUNNER = CliRunner()


def commands() -> list[list[str]]:
    """Every command, sub-commands by their group's name."""
    found: list[list[str]] = []
    for command in cli.registered_commands:
        assert command.name or command.callback is not None
        found.append([command.name or command.callback.__name__.replace("_", "-")])  # type: ignore[union-attr]
    for group in cli.registered_groups:
        sub = group.typer_instance
        assert isinstance(sub, typer.Typer) and group.name
        found += [[group.name, c.name or ""] for c in sub.registered_commands]
    return found


def test_help_lists_every_command() -> None:
    listed = RUNNER.invoke(cli, ["--help"], terminal_width=200)
    assert listed.exit_code == 0
    names = {command[0] for command in commands()}
    assert {"apply", "seed-demo", "sms-reply", "import-rota", "client", "serve"} <= names
    for name in names:
        assert f" {name} " in listed.stdout, f"{name} is not in --help"


@pytest.mark.parametrize("command", commands(), ids=" ".join)
def test_every_command_has_help(command: list[str]) -> None:
    shown = RUNNER.invoke(cli, [*command, "--help"], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "Usage:" in shown.stdout


def test_version() -> None:
    shown = RUNNER.invoke(cli, ["--version"])
    assert shown.exit_code == 0
    assert shown.stdout.startswith("odvarsel ")


def test_the_default_database_is_in_the_data_dir_not_the_working_folder(tmp_path: Path) -> None:
    assert DEFAULT_DATA_DIR == PROJECT / "var"
    default = Settings.model_validate({})
    assert default.database_url == f"sqlite+aiosqlite:///{PROJECT}/var/odvarsel.db"
    elsewhere = Settings.model_validate({"data_dir": tmp_path})
    assert elsewhere.database_url == f"sqlite+aiosqlite:///{tmp_path}/odvarsel.db"


def test_from_another_folder_an_unusable_database_is_one_line(tmp_path: Path) -> None:
    """An empty database (never migrated): one line on stderr, no ./var in the folder."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATA_DIR")},
        "DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(PROJECT),
    }
    ran = subprocess.run(
        [sys.executable, "-m", "app.cli", "client", "list"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,  # importing the app alone takes seconds on a loaded machine
    )
    assert ran.returncode == 1
    assert ran.stderr.splitlines() == [
        "error: the database at DATABASE_URL could not be used (OperationalError): is it "
        "reachable, and has `odvarsel migrate` been run?"
    ]
    assert list(folder.iterdir()) == [], "the command left files in the folder it ran in"
