"""Runs an `odvarsel` command with its database round trips counted, for benchmarks.

    BENCH_COUNT_FILE=/tmp/counts.json python -m bench.counting worker

Every statement SQLAlchemy sends, and every BEGIN, COMMIT and ROLLBACK, is one round trip
to the database (asyncpg sends a cached prepared statement's bind and execute together);
the counts are written to BENCH_COUNT_FILE as JSON every 0.1 s and at exit. LISTEN's
notifications arrive unasked and are not round trips. New connections the pools open are
counted too (a fork, authentication and a cold statement cache each in PostgreSQL). Nothing
here is imported by `app`.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

COUNTS = {"statements": 0, "begins": 0, "ends": 0, "connections": 0}
ROUND_TRIPS = ("statements", "begins", "ends")


BY_STATEMENT: Counter[str] = Counter()
"""With BENCH_COUNT_STATEMENTS=1: how often each statement ran (its first 100 characters),
written beside the counts as `<file>.statements.json`, to see where round trips go."""


def _count_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    BY_STATEMENT[" ".join(statement.split())[:100]] += 1


def _count(kind: str) -> Any:
    def listener(connection: Any, *_args: Any, **_kwargs: Any) -> None:
        if kind in ("begins", "ends") and _autocommit(connection):
            return  # no BEGIN or COMMIT goes to the server outside a transaction
        COUNTS[kind] += 1

    return listener


def _autocommit(connection: Any) -> bool:
    options: dict[str, Any] = getattr(connection, "get_execution_options", dict)()
    return bool(options.get("isolation_level") == "AUTOCOMMIT")


def _write(path: Path) -> None:
    staged = path.with_suffix(".tmp")
    staged.write_text(json.dumps(COUNTS))
    staged.replace(path)  # a reader never sees half a file
    if BY_STATEMENT:
        path.with_suffix(".statements.json").write_text(
            json.dumps(BY_STATEMENT.most_common(), indent=1)
        )


def install(path: Path) -> None:
    event.listen(Engine, "before_cursor_execute", _count("statements"))
    event.listen(Engine, "begin", _count("begins"))
    event.listen(Engine, "commit", _count("ends"))
    event.listen(Engine, "rollback", _count("ends"))
    event.listen(Pool, "connect", _count("connections"))
    if os.environ.get("BENCH_COUNT_STATEMENTS") == "1":
        event.listen(Engine, "before_cursor_execute", _count_statement)

    def keep_writing() -> None:
        while True:
            _write(path)
            threading.Event().wait(0.1)

    threading.Thread(target=keep_writing, daemon=True).start()
    atexit.register(_write, path)


def read(path: Path) -> dict[str, int]:
    """What the process writing `path` counted so far; "round_trips" sums the kinds."""
    try:
        counts: dict[str, int] = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        counts = dict.fromkeys(COUNTS, 0)
    return {**counts, "round_trips": sum(counts[kind] for kind in ROUND_TRIPS)}


if __name__ == "__main__":
    install(Path(os.environ["BENCH_COUNT_FILE"]))
    from app.cli import main

    sys.argv = ["odvarsel", *sys.argv[1:]]
    main()
