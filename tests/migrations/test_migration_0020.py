"""Migration 0020 seals the notes of follow-up steps and their history that were kept in plain
text, and its downgrade opens them again."""

from __future__ import annotations

from sqlalchemy import text

from app.followup.cases import notes
from app.state import AppState
from tests.followup.test_followup_cases import alert, desk, read_case, record, steps_of, take
from tests.migrations.test_migration_0006 import as_uuid, rows
from tests.migrations.test_migration_0018 import migrated
from tests.scenario import Scenario

__all__ = ["desk"]

NOTE = "Møtt på Stasjonen, ønsker hjelp med bolig"
EARLIER = "Oppsøkt på Torvbyen, ikke der"
"""A note written before 0020, in plain text as the service then kept it."""


async def execute(state: AppState, sql: str, **params: object) -> None:
    async with state.engine.begin() as connection:
        await connection.execute(text(sql), params)


async def test_0020_seals_plain_notes_and_the_downgrade_opens_them(desk: Scenario) -> None:
    state = desk.state
    case_id = await take(desk, await alert(desk))
    recorded = await record(desk, case_id, "reach", "not_reached", note=NOTE)
    assert recorded.status_code == 200, recorded.text

    await migrated(state, "0019", down=True)
    for table in ("followup_step", "followup_event"):
        plain = await rows(state, f"SELECT note FROM {table} WHERE note IS NOT NULL")
        assert plain == [(NOTE,)], table
    await execute(state, "UPDATE followup_step SET note = :note WHERE key = 'assess'", note=EARLIER)

    await migrated(state, "head")
    for table in ("followup_step", "followup_event"):
        dump = str(await rows(state, f"SELECT * FROM {table}"))
        assert "Stasjonen" not in dump and "Torvbyen" not in dump, table
    sealed = await rows(
        state, "SELECT case_id, key, note_sealed FROM followup_step WHERE note_sealed IS NOT NULL"
    )
    opened = {
        key: state.cipher.open(token, context=notes.context_of(as_uuid(raw_case)))
        for raw_case, key, token in sealed
    }
    assert opened == {"reach": NOTE, "assess": EARLIER}
    case = await read_case(desk, case_id)
    assert steps_of(case)["assess"]["note"] == EARLIER
    assert [e["note"] for e in case["events"] if e["has_note"]] == [NOTE]
