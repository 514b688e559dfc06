"""Settings that cannot be used, as entry points report them: one line per problem, naming
the variable, never a value."""

from __future__ import annotations

import sys


class ConfigError(Exception):
    """Settings that cannot be used: one line per problem, naming the variable, never a value.

    Entry points print :attr:`problems` and exit non-zero without a traceback
    (:func:`app.cli.main`, :func:`app.main.app_from_env`).
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def report_config_error(exc: ConfigError) -> None:
    """Prints each problem as one line on stderr (the caller exits non-zero)."""
    for problem in exc.problems:
        print(f"configuration error: {problem}", file=sys.stderr, flush=True)
