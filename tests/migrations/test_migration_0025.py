"""Migration 0025: the triage table gains the municipality's named fatal contact; tables stored
before have none (the leader only, as before), and the downgrade drops it with its columns."""

from __future__ import annotations

from typing import Any

import httpx

from app.state import AppState
from app.triage.rules import FatalContact
from tests.factories import Factory
from tests.migrations.test_migration_0006 import rows
from tests.migrations.test_migration_0018 import migrated
from tests.triage.test_triage_admin import URL, stored

CONTACT = {"name": "Kriseteamet", "mobile": "+4748000001"}
TABLE: dict[str, Any] = {"rules": [], "fatal": {"morning": "07:00", "contact": CONTACT}}


async def test_0025_adds_the_fatal_contact_and_drops_it_again(
    http: httpx.AsyncClient, factory: Factory, state: AppState
) -> None:
    admin = await factory.admin_client()
    assert (await http.put(URL, json=TABLE, headers=admin.headers)).status_code == 200
    assert (await stored(state)).fatal_contact == FatalContact("Kriseteamet", "+4748000001")
    [with_contact] = await rows(state, "SELECT * FROM triage_table")

    await migrated(state, "0024", down=True)
    [before] = await rows(state, "SELECT * FROM triage_table")
    assert len(before) == len(with_contact) - 2, "the two columns are gone"

    await migrated(state, "head")
    table = await stored(state)
    assert table.fatal_contact is None, "a table stored before names no contact"
    assert table.fatal.morning.hour == 7, "the rest of the table stays"
    got = await http.get(URL, headers=admin.headers)
    assert got.status_code == 200, got.text
    assert got.json()["fatal"]["contact"] is None
    put = await http.put(URL, json=TABLE, headers=admin.headers)
    assert put.status_code == 200, put.text
    assert put.json()["fatal"]["contact"] == CONTACT
