"""Reading a municipality file: YAML into `MunicipalityFile`, or one line per problem.

The YAML is read as YAML 1.2's core schema reads it, not PyYAML's default 1.1: `no` and `on`
stay text (the country code, a yes/no answer), `08:00` stays a time of day rather than the
sexagesimal 480, and dates stay text for the API's own parsers. The data is then validated as
JSON, exactly as the admin API validates a body, so the file and the API accept the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.apply.schema import MunicipalityFile


class FileProblem(Exception):
    """The file cannot be applied; each line names where (`path: reason`)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class _CoreLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema scalars: only true/false are booleans, integers
    are decimal (`0900` is 900, not octal), and timestamps are text."""


_DROPPED = {f"tag:yaml.org,2002:{tag}" for tag in ("bool", "int", "float", "timestamp")}
_CoreLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, _pattern, _first in (
    ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    ("int", r"[-+]?[0-9]+", "-+0123456789"),
    (
        "float",
        r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)",
        "-+.0123456789",
    ),
):
    _CoreLoader.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(f"^(?:{_pattern})$"), list(_first)
    )


def _decimal(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    assert isinstance(node, yaml.ScalarNode)  # the int resolver matches scalars only
    return int(loader.construct_scalar(node))


_CoreLoader.add_constructor("tag:yaml.org,2002:int", _decimal)


def where(loc: Sequence[str | int]) -> str:
    """A YAML path as a reader finds it: `teams[0].members[2].mobile`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(the file)"


def parse(text: str, *, source: str) -> MunicipalityFile:
    """The validated file; FileProblem naming `source` and each path that is wrong."""
    try:
        data: Any = yaml.load(text, Loader=_CoreLoader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not YAML"
        raise FileProblem([f"{source}{at}: {problem}"]) from None
    if not isinstance(data, dict):
        raise FileProblem([f"{source}: the file must be a mapping with a `municipality` key"])
    try:
        return MunicipalityFile.model_validate_json(json.dumps(data))
    except ValidationError as exc:
        raise FileProblem(
            [
                f"{source}: {where(e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
                for e in exc.errors()
            ]
        ) from None
    except ValueError as exc:  # not JSON: a key that is not text, a nan
        raise FileProblem([f"{source}: {exc}"]) from None


def read(path: Path) -> MunicipalityFile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FileProblem([f"{path}: cannot be read ({type(exc).__name__})"]) from None
    return parse(text, source=str(path))
