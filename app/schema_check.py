"""Whether the database is at this code's schema, asked by `odvarsel serve` before it starts.

A database never migrated (or migrated by older code) let the service start and answer every
request 500 (PostgreSQL) or 503 "could not be reached" (SQLite), with nothing in the log
saying `odvarsel migrate`. A database that cannot be reached is not refused here: the service
starts and answers 503 until it can be reached, as it does when it goes away later.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from app.config import Settings
from app.db import create_engine

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"
CONNECT_SECONDS = 10  # a server that drops packets must not hold the start for a minute


def code_heads() -> set[str]:
    """The revisions this code's migrations end in."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(Config(str(ALEMBIC_INI))).get_heads())


async def database_heads(settings: Settings) -> set[str] | None:
    """The database's revisions (empty: never migrated); None when it cannot be reached."""
    from alembic.runtime.migration import MigrationContext

    engine = create_engine(settings)
    try:
        async with asyncio.timeout(CONNECT_SECONDS), engine.connect() as connection:
            heads = await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_heads()
            )
            return set(heads)
    except (DBAPIError, OSError, TimeoutError):
        return None
    finally:
        await engine.dispose()


def schema_problem(settings: Settings) -> str | None:
    """One line saying why the database cannot be served yet, or None."""
    found = asyncio.run(database_heads(settings))
    if found is None or found == code_heads():
        return None
    at = ", ".join(sorted(found)) or "none (never migrated)"
    return (
        f"the database at DATABASE_URL is at revision {at}, not this code's: run `odvarsel migrate`"
    )
