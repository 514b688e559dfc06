"""devtools/module_sizes.py: the size check CI runs on app, on trees made here."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools import module_sizes


def function(name: str, body_lines: int) -> str:
    return f"def {name}() -> None:\n" + "    x = 1\n" * body_lines


def test_a_tree_within_the_limits_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "small.py").write_text(function("fits", 59) + "\n" * 300)

    assert module_sizes.main([str(tmp_path)]) == 0
    assert "no module over 400 lines" in capsys.readouterr().out


def test_a_long_function_and_a_long_module_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "long.py").write_text("\n\n" + function("too_long", 60))
    (tmp_path / "big.py").write_text("x = 1\n" * 401)

    assert module_sizes.main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path / 'pkg' / 'long.py'}:3 too_long 61" in out
    assert f"{tmp_path / 'big.py'}:1 module 401" in out
    assert "2 over the limits" in out


def test_a_nested_function_counts_within_its_own_lines(tmp_path: Path) -> None:
    nested = "def outer() -> None:\n    " + function("inner", 61).replace("\n", "\n    ")
    (tmp_path / "nested.py").write_text(nested)

    found = list(module_sizes.too_long(tmp_path))

    assert [line.split()[1] for line in found] == ["outer", "inner"]


def test_app_is_within_the_limits() -> None:
    assert list(module_sizes.too_long(Path(__file__).parents[1] / "app")) == []
