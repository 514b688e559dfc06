"""The per-test databases (tests/databases.py): one lent again after a test is in the
template's state, whatever the test wrote, and one a test left at another revision is not
lent again."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.databases import TemplateDatabase

EVERY_TABLE = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    " AND name <> 'alembic_version'"
)
EVERY_PG_TABLE = (
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
)


async def execute(url: str, *statements: str) -> list[list[tuple[object, ...]]]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            results = [await connection.execute(text(s)) for s in statements]
            return [[tuple(row) for row in r] if r.returns_rows else [] for r in results]
    finally:
        await engine.dispose()


async def rows_in_every_table(url: str) -> dict[str, int]:
    every = EVERY_PG_TABLE if url.startswith("postgresql") else EVERY_TABLE
    [tables] = await execute(url, every)
    counts = await execute(url, *(f'SELECT COUNT(*) FROM "{name}"' for (name,) in tables))
    return {name: count[0][0] for (name,), count in zip(tables, counts, strict=True)}  # type: ignore[misc]


async def test_a_database_lent_again_is_empty_with_its_sequences_restarted(
    template_database: TemplateDatabase,
) -> None:
    name = await template_database.lend()
    url = template_database.url_of(name)
    await execute(
        url,
        "INSERT INTO municipality (code, name, written_standard, created_at)"
        " VALUES ('3107', 'Fredrikstad', 'nb', '2026-11-23 12:00:00')",
        # The access log is append-only by a trigger; emptying it must not trip over that.
        "INSERT INTO access_log_entry (at, actor_kind, actor_id, municipality_code,"
        " categories, legal_basis, reason, channel)"
        " VALUES ('2026-11-23 12:00:00', 'member', 'x', '3107', '[]', 'b', 'r', 'api')",
    )
    assert (await rows_in_every_table(url))["access_log_entry"] == 1
    await template_database.give_back(name)

    again = await template_database.lend()
    url = template_database.url_of(again)
    assert set((await rows_in_every_table(url)).values()) == {0}
    await execute(
        url,
        "INSERT INTO municipality (code, name, written_standard, created_at)"
        " VALUES ('3107', 'Fredrikstad', 'nb', '2026-11-23 12:00:00')",
        "INSERT INTO access_log_entry (at, actor_kind, actor_id, municipality_code,"
        " categories, legal_basis, reason, channel)"
        " VALUES ('2026-11-23 12:00:00', 'member', 'x', '3107', '[]', 'b', 'r', 'api')",
    )
    [[(first_id,)]] = await execute(url, "SELECT id FROM access_log_entry")
    assert first_id == 1, "the sequence starts again"
    await template_database.give_back(again)


async def test_a_database_left_at_another_revision_is_not_lent_again(
    template_database: TemplateDatabase,
) -> None:
    name = await template_database.lend()
    await execute(template_database.url_of(name), "UPDATE alembic_version SET version_num = 'x'")
    await template_database.give_back(name)
    assert name not in template_database.lendable
    fresh = await template_database.lend()
    [[(revision,)]] = await execute(
        template_database.url_of(fresh), "SELECT version_num FROM alembic_version"
    )
    assert revision != "x"
    await template_database.give_back(fresh)
