"""Migration 0022 hashes and seals the dispatch incident ids stored in plain text (an objected
alert keeps only the hash), and its downgrade opens them again."""

from __future__ import annotations

import uuid

import httpx

from app.alerts import sealing
from app.state import AppState
from tests.factories import Factory
from tests.migrations.test_migration_0006 import as_uuid, rows
from tests.migrations.test_migration_0018 import migrated
from tests.personal_data import personal_body


async def test_0022_hashes_and_seals_incident_ids_both_ways(
    http: httpx.AsyncClient, factory: Factory, state: AppState
) -> None:
    amk = await factory.api_client(municipalities=("3107",))
    plain, objected = personal_body(), personal_body(consent={"state": "objected"})
    ids = {}
    for body in (plain, objected):
        posted = await http.post("/v1/alerts", json=body, headers=amk.headers)
        assert posted.status_code == 201, posted.text
        ids[body["dispatch_incident_id"]] = uuid.UUID(posted.json()["id"])

    await migrated(state, "0021", down=True)
    stored = dict(await rows(state, "SELECT dispatch_incident_id, id FROM alert"))
    objected_hash = state.hasher.dispatch_incident(objected["dispatch_incident_id"])
    assert {k: as_uuid(v) for k, v in stored.items()} == {
        plain["dispatch_incident_id"]: ids[plain["dispatch_incident_id"]],
        objected_hash: ids[objected["dispatch_incident_id"]],
    }, "an objected alert's id is gone: its hash stands in"

    await migrated(state, "head")
    found = await rows(
        state, "SELECT id, dispatch_incident_hash, dispatch_incident_sealed FROM alert"
    )
    by_id = {as_uuid(i): (h, s) for i, h, s in found}
    plain_id = ids[plain["dispatch_incident_id"]]
    incident_hash, sealed = by_id[plain_id]
    assert incident_hash == state.hasher.dispatch_incident(plain["dispatch_incident_id"])
    assert (
        state.cipher.open(sealed, context=sealing.context_of(plain_id, sealing.INCIDENT_CONTEXT))
        == plain["dispatch_incident_id"]
    )
    # The objected alert's stand-in is hashed again: only its retry by the hash is lost.
    assert by_id[ids[objected["dispatch_incident_id"]]][1] is None
    retry = await http.post("/v1/alerts", json=plain, headers=amk.headers)
    assert retry.status_code == 200 and retry.json()["id"] == str(plain_id)
    dump = str(await rows(state, "SELECT * FROM alert"))
    assert plain["dispatch_incident_id"] not in dump
