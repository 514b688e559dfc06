"""Modules and functions too long to read in one sitting, in a package's source.

    .venv/bin/python -m devtools.module_sizes app

A module counts its lines as the file has them; a function (or method) from its `def` line
to its last line, decorators not included, nested functions within it. The limits are the
house's (docs/ARCHITECTURE.md): 400 lines a module, 60 a function. Each one over is printed
as `path:line name length`; the exit status is 1 when there is one.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

MODULE_LINES = 400
FUNCTION_LINES = 60


def too_long(
    root: Path, *, module_lines: int = MODULE_LINES, function_lines: int = FUNCTION_LINES
) -> Iterator[str]:
    """Every module and function under `root` over its limit, in path order."""
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > module_lines:
            yield f"{path}:1 module {lines}"
        for node in ast.walk(ast.parse(text, filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > function_lines:
                    yield f"{path}:{node.lineno} {node.name} {length}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path)
    args = parser.parse_args(argv)
    found = list(too_long(args.package))
    for line in found:
        print(line)
    if found:
        print(
            f"{len(found)} over the limits ({MODULE_LINES} lines a module, "
            f"{FUNCTION_LINES} a function)"
        )
        return 1
    print(f"no module over {MODULE_LINES} lines, no function over {FUNCTION_LINES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
