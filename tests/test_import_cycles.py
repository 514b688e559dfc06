"""devtools/import_cycles.py: the cycle check CI runs on app, on package trees made here."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools import import_cycles


def package(root: Path, files: dict[str, str]) -> Path:
    """A package `pkg` under `root` with `files` (paths relative to it) and every
    `__init__.py` their folders need."""
    top = root / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        path = top / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for folder in path.relative_to(top).parents:
            (top / folder / "__init__.py").touch()
        path.write_text(text)
    return top


LAYERED = {
    "config.py": "import os\n",
    "db.py": "from pkg.config import Settings\n",
    "roster/models.py": "from pkg.db import engine\n",
    "roster/rota/service.py": "from pkg.roster.models import Member\nfrom ..teams import repo\n",
    "roster/teams/repo.py": "from pkg.roster import models\n",
    # A type-only import back up is no cycle: it never runs.
    "state.py": (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.roster import models\n"
    ),
}


def test_a_layered_package_has_no_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    top = package(tmp_path, LAYERED)

    assert import_cycles.main([str(top)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "no import cycles among the 7 modules and packages of pkg"
    ]


def test_a_parent_and_its_sub_package_importing_each_other_are_a_cycle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    top = package(
        tmp_path,
        {
            **LAYERED,
            # the parent package imports its sub-package inside a function: still a cycle
            "roster/duty.py": "def f():\n    from pkg.roster.rota import service\n",
            "config.py": "import os\nfrom pkg import state\n",
            "state.py": "from pkg.db import engine\n",
        },
    )

    assert import_cycles.main([str(top)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "cycle: config <-> db <-> state",
        "  config -> state  (pkg/config.py:2)",
        "  db -> config  (pkg/db.py:1)",
        "  state -> db  (pkg/state.py:1)",
        "cycle: roster <-> roster.rota <-> roster.teams",
        "  roster -> roster.rota  (pkg/roster/duty.py:2)",
        "  roster.rota -> roster  (pkg/roster/rota/service.py:1)",
        "  roster.rota -> roster.teams  (pkg/roster/rota/service.py:2)",
        "  roster.teams -> roster  (pkg/roster/teams/repo.py:1)",
        "2 cycle(s) among the 7 modules and packages of pkg",
    ]


def test_names_resolve_to_the_deepest_package_that_holds_them(tmp_path: Path) -> None:
    top = package(tmp_path, LAYERED)
    names = import_cycles.Package(top)

    assert names.node_of_module("pkg.roster.rota.service.run") == "roster.rota"
    assert names.node_of_module("pkg.roster.models.Member") == "roster"
    assert names.node_of_module("pkg.config.Settings") == "config"
    assert names.node_of_module("pkg.missing") is None
    assert names.node_of_module("other.config") is None
