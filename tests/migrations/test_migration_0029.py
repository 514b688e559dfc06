"""Migration 0029: municipalities gain a written standard (bokmål for those stored before) and a
member's language may be null (the municipality's standard). A stored "nb" was the default, so
it becomes null; "en" stays a choice. The downgrade gives bokmål to everyone without a choice
and to nynorsk members, and drops the standard."""

from __future__ import annotations

from sqlalchemy import text

from app.state import AppState
from tests.factories import Factory
from tests.migrations.test_migration_0006 import rows
from tests.migrations.test_migration_0018 import migrated

LANGUAGES = "SELECT name, language FROM member ORDER BY name"


async def execute(state: AppState, sql: str) -> None:
    async with state.engine.begin() as connection:
        await connection.execute(text(sql))


async def test_0029_adds_the_written_standard_and_frees_the_members_language(
    factory: Factory, state: AppState
) -> None:
    await factory.team()  # Ada, Bo, Cy: no choice
    [municipality] = await rows(state, "SELECT * FROM municipality WHERE code = '3107'")
    await migrated(state, "0028", down=True)
    nb = [("Ada Lund", "nb"), ("Bo Dahl", "nb"), ("Cy Moe", "nb")]
    assert await rows(state, LANGUAGES) == nb
    [before] = await rows(state, "SELECT * FROM municipality WHERE code = '3107'")
    assert len(before) == len(municipality) - 1, "the standard is gone"
    await execute(state, "UPDATE member SET language = 'en' WHERE name = 'Bo Dahl'")

    await migrated(state, "head")
    chosen = [("Ada Lund", None), ("Bo Dahl", "en"), ("Cy Moe", None)]
    assert await rows(state, LANGUAGES) == chosen, "bokmål was the default: no choice"
    assert await rows(state, "SELECT DISTINCT written_standard FROM municipality") == [("nb",)]

    await execute(state, "UPDATE municipality SET written_standard = 'nn'")
    await execute(state, "UPDATE member SET language = 'nn' WHERE name = 'Cy Moe'")
    await migrated(state, "0028", down=True)
    assert await rows(state, LANGUAGES) == [("Ada Lund", "nb"), ("Bo Dahl", "en"), ("Cy Moe", "nb")]
    await migrated(state, "head")
    assert await rows(state, LANGUAGES) == chosen, "nynorsk went back to bokmål, then no choice"
