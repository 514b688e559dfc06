"""Key rotation (`odvarsel keys rotate`): values sealed under key A are re-sealed under key B
and read with key A removed; the run resumes, never overwrites a concurrent write, and reports
a token that does not open. The hash key's rotation re-hashes the national-id hashes, so a
repeated overdose still links."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select, text
from typer.testing import Result

from app import tables
from app.alerts import sealing
from app.auth.scopes import Scope
from app.clock import FakeClock
from app.config import Settings, get_settings
from app.config.sections import CryptoSettings
from app.key_rotation import repository, service
from app.key_rotation.registry import SEALED
from app.main import create_app
from app.privacy.crypto import FieldCipher, decode_key, generate_key
from app.privacy.keys import build_cipher, build_hasher
from app.state import AppState
from app.statistics.facts import refresh_facts
from app.webhooks import service as webhooks
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from devtools.loopback import free_port
from tests.cli import Odvarsel, odvarsel
from tests.databases import settings_for
from tests.factories import Factory
from tests.followup.test_followup_cases import record, take
from tests.personal_data import NATIONAL_ID, personal_body
from tests.scenario import Scenario
from tests.webhooks.support import create_endpoint

__all__ = ["odvarsel"]

KEY_A, KEY_B = generate_key(), generate_key()
HASH_1, HASH_2 = generate_key(), generate_key()
NOTE = "Møtt på Stasjonen, ønsker hjelp med bolig"
SUPPLEMENT = {"supplement_id": "S-1", "destination": {"type": "hospital", "name": "Kalnes"}}


def crypto(keys: dict[str, str], active: str, hash_key: str = HASH_1, *retired: str) -> Any:
    return CryptoSettings(
        keys={k: SecretStr(v) for k, v in keys.items()},
        active_key_id=active,
        hash_key=SecretStr(hash_key),
        retired_hash_keys=[SecretStr(r) for r in retired],
    )


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The service as it ran before the rotation: key A only, hash key 1."""
    base = settings_for(database_url, tmp_path)
    return base.model_copy(update={"crypto": crypto({"A": KEY_A}, "A")})


def configure(
    monkeypatch: pytest.MonkeyPatch,
    keys: dict[str, str],
    active: str,
    hash_key: str = HASH_1,
    *retired: str,
) -> None:
    """The operator's environment for the next `odvarsel` command."""
    monkeypatch.setenv("CRYPTO__KEYS", json.dumps(keys))
    monkeypatch.setenv("CRYPTO__ACTIVE_KEY_ID", active)
    monkeypatch.setenv("CRYPTO__HASH_KEY", hash_key)
    monkeypatch.setenv("CRYPTO__RETIRED_HASH_KEYS", json.dumps(list(retired)))
    get_settings.cache_clear()


@asynccontextmanager
async def service_with(
    settings: Settings, clock: FakeClock, crypto_settings: Any
) -> AsyncIterator[tuple[AppState, httpx.AsyncClient]]:
    """The service restarted with other key settings, on the same database."""
    application = create_app(settings.model_copy(update={"crypto": crypto_settings}), clock=clock)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://odvarsel.test") as http:
            yield application.state.odvarsel, http


@dataclass
class Made:
    alert_id: uuid.UUID
    case_id: uuid.UUID
    secret: str
    details: dict[str, Any]
    case: dict[str, Any]
    history: dict[str, Any]
    bodies: dict[uuid.UUID, bytes]


async def made_under_key_a(desk: Scenario) -> Made:
    """Through the API: an alert with every category, a supplement, a follow-up note, a
    webhook endpoint and its deliveries; and everything as the service reads it."""
    await desk.team()
    amk = await desk.client()
    secret = await create_endpoint(desk.http, amk, f"http://127.0.0.1:{free_port()}/hook")
    alert_id = await desk.alert(body=personal_body(), ago=timedelta(minutes=20))
    supplemented = await desk.request("POST", f"/v1/alerts/{alert_id}/supplements", json=SUPPLEMENT)
    assert supplemented.status_code == 201, supplemented.text
    case_id = await take(desk, alert_id)
    recorded = await record(desk, case_id, "reach", "not_reached", note=NOTE)
    assert recorded.status_code == 200, recorded.text
    return Made(
        alert_id,
        case_id,
        secret,
        *await read_back(desk.state, desk, desk.http, alert_id, case_id),
    )


async def read_back(
    state: AppState,
    desk: Scenario,
    http: httpx.AsyncClient,
    alert_id: uuid.UUID,
    case_id: uuid.UUID,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[uuid.UUID, bytes]]:
    """The alert's details and its case as the case system reads them, the supplement's
    replaced values and the webhook bodies: each opens only with a key it was sealed under."""
    headers = await desk.headers(Scope.ALERTS_DETAILS)
    details = await http.get(
        f"/v1/alerts/{alert_id}/details", params={"reason": "Oppfølging"}, headers=headers
    )
    assert details.status_code == 200, details.text
    case = await http.get(f"/v1/cases/{case_id}", headers=headers)
    assert case.status_code == 200, case.text
    async with state.sessions() as session:
        version = (await session.execute(text("SELECT replaced_sealed FROM alert_version"))).one()
        deliveries = list((await session.execute(select(WebhookDelivery))).scalars())
    history = sealing.open_history(state.cipher, alert_id=alert_id, version=2, token=version[0])
    bodies = {d.id: webhooks.open_body(state.cipher, d) for d in deliveries}
    return details.json(), case.json(), history, bodies


async def tokens(state: AppState) -> dict[str, list[str]]:
    """Every token of every sealed column, by `table.column`."""
    found: dict[str, list[str]] = {}
    async with state.sessions() as session:
        for sealed in SEALED:
            column = tables.metadata.tables[sealed.table].c[sealed.column]
            rows = await session.execute(select(column).where(column.is_not(None)))
            found[sealed.name] = list(rows.scalars())
    return found


def key_ids(found: dict[str, list[str]], cipher: FieldCipher) -> set[str]:
    return {cipher.key_id_of(t) for column in found.values() for t in column}


async def rotate(odvarsel: Odvarsel, *args: object) -> Result:
    """`odvarsel keys rotate ARGS`, in a thread: the command runs its own event loop."""
    return await asyncio.to_thread(odvarsel, "keys", "rotate", *args)


def cipher_ab() -> FieldCipher:
    return FieldCipher({"A": decode_key(KEY_A), "B": decode_key(KEY_B)}, "B")


def test_every_sealed_column_is_in_the_registry() -> None:
    sealed = {
        f"{table.name}.{column.name}"
        for table in tables.metadata.sorted_tables
        for column in table.columns
        if column.name.endswith("_sealed")
    }
    assert sealed == {s.name for s in SEALED}
    for entry in SEALED:
        table = tables.metadata.tables[entry.table]
        assert [c.name for c in table.primary_key] == list(entry.keys), entry.name


async def test_values_sealed_under_a_are_read_with_only_b_after_rotation(
    scenario: Scenario,
    state: AppState,
    settings: Settings,
    clock: FakeClock,
    odvarsel: Odvarsel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = await made_under_key_a(scenario)
    before = await tokens(state)
    assert all(before.values()), f"a sealed column without data: {before}"
    assert key_ids(before, state.cipher) == {"A"}
    assert (
        len(made.bodies) >= 2 and made.history and NOTE in json.dumps(made.case, ensure_ascii=False)
    )

    configure(monkeypatch, {"A": KEY_A, "B": KEY_B}, "B")
    result = await rotate(odvarsel, "--batch-size", 2)
    assert result.exit_code == 0, result.output
    for name, column in before.items():
        assert f"{name}: {len(column)} re-sealed" in result.output
    after = await tokens(state)
    assert key_ids(after, state.cipher) == {"B"}
    assert {n: len(c) for n, c in after.items()} == {n: len(c) for n, c in before.items()}

    again = await rotate(odvarsel)
    assert again.exit_code == 0, again.output
    assert all(f"{s.name}: 0 re-sealed" in again.output for s in SEALED)
    assert await tokens(state) == after, "a second run rotates nothing"

    # Key A removed: the service reads everything with key B alone.
    async with service_with(settings, clock, crypto({"B": KEY_B}, "B")) as (b_state, b_http):
        b_desk = Scenario(
            factory=Factory(state=b_state, http=b_http, clock=clock),
            state=b_state,
            clock=clock,
            http=b_http,
        )
        b_desk._clients = scenario._clients
        details, case, history, bodies = await read_back(
            b_state, b_desk, b_http, made.alert_id, made.case_id
        )
        assert (details, case, history, bodies) == (
            made.details,
            made.case,
            made.history,
            made.bodies,
        )
        async with b_state.sessions() as session:
            [endpoint] = (await session.execute(select(WebhookEndpoint))).scalars()
        # What the worker opens to post a delivery: its signing secret and its body.
        assert webhooks.open_secret(b_state.cipher, endpoint) == made.secret


async def test_an_interrupted_run_resumes(
    scenario: Scenario,
    state: AppState,
    odvarsel: Odvarsel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await made_under_key_a(scenario)
    total = sum(len(c) for c in (await tokens(state)).values())

    class Stopped(Exception):
        """The process dies after its first batch."""

    def die(_handled: int) -> None:
        raise Stopped

    with pytest.raises(Stopped):
        await service.reseal_all(state.sessions, cipher_ab(), batch_size=1, progress=die)
    found = await tokens(state)
    under = [cipher_ab().key_id_of(t) for column in found.values() for t in column]
    assert (under.count("B"), under.count("A")) == (1, total - 1), "one batch committed"

    configure(monkeypatch, {"A": KEY_A, "B": KEY_B}, "B")
    result = await rotate(odvarsel, "--batch-size", 1)
    assert result.exit_code == 0, result.output
    assert key_ids(await tokens(state), cipher_ab()) == {"B"}
    resealed = sum(
        int(line.split(": ")[1].split()[0])
        for line in result.output.splitlines()
        if " re-sealed" in line
    )
    assert resealed == total - 1


async def test_a_concurrent_write_is_never_overwritten(scenario: Scenario, state: AppState) -> None:
    made = await made_under_key_a(scenario)
    [identity] = [s for s in SEALED if s.column == "identity_sealed"]
    async with state.sessions() as session, session.begin():
        [row] = await repository.tokens_not_under(
            session, identity, cipher_ab().active_prefix, after=None, limit=1
        )
        # A service writes the row meanwhile (under the active key)...
        newer = cipher_ab().seal('{"person.name":"Ny"}', context=identity.context(row))
        await session.execute(text("UPDATE alert SET identity_sealed = :t"), {"t": newer})
        # ...and the rotation's write of the old value is refused.
        stale = cipher_ab().reseal(row["token"], context=identity.context(row))
        assert not await repository.replace_token(session, identity, row, stale)
    assert (await tokens(state))["alert.identity_sealed"] == [newer]
    assert made.alert_id == row["id"]


async def test_a_token_that_does_not_open_is_reported_and_left(
    scenario: Scenario,
    state: AppState,
    odvarsel: Odvarsel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = await made_under_key_a(scenario)
    [token] = (await tokens(state))["alert.contact_sealed"]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    async with state.sessions() as session, session.begin():
        await session.execute(text("UPDATE alert SET contact_sealed = :t"), {"t": tampered})

    configure(monkeypatch, {"A": KEY_A, "B": KEY_B}, "B")
    result = await rotate(odvarsel)
    assert result.exit_code == 1
    assert "1 values did not open" in result.output
    assert f"alert.contact_sealed id={made.alert_id}" in result.output
    assert tampered not in result.output and token not in result.output
    after = await tokens(state)
    assert after.pop("alert.contact_sealed") == [tampered], "left as it was"
    assert key_ids(after, state.cipher) == {"B"}, "everything else was rotated"


async def person_keys(state: AppState) -> list[str]:
    async with state.sessions() as session:
        return list((await session.execute(text("SELECT person_key FROM alert_fact"))).scalars())


async def test_after_rehashing_a_new_alert_links_to_the_old_one(
    scenario: Scenario,
    state: AppState,
    settings: Settings,
    clock: FakeClock,
    odvarsel: Odvarsel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    team = await scenario.team()
    first = await scenario.alert(body=personal_body(), ago=timedelta(minutes=20))
    case = await scenario.take(first, team.member_ids[1])
    assert case is not None and not case.serious_crisis
    old_hash = build_hasher(settings).national_id(NATIONAL_ID)
    async with state.sessions() as session, session.begin():
        await refresh_facts(session, [first], cipher=state.cipher, now=clock.now())
    assert await person_keys(state) == [old_hash]

    configure(monkeypatch, {"A": KEY_A}, "A", HASH_2, HASH_1)
    result = await rotate(odvarsel, "--rehash")
    assert result.exit_code == 0, result.output
    assert "alert.national_id_hash: 1 re-hashed" in result.output
    assert "alert.dispatch_incident_hash: 1 re-hashed" in result.output
    new_settings = settings.model_copy(update={"crypto": crypto({"A": KEY_A}, "A", HASH_2)})
    new_hash = build_hasher(new_settings).national_id(NATIONAL_ID)
    async with state.sessions() as session:
        stored = (await session.execute(text("SELECT national_id_hash FROM alert"))).scalar_one()
    assert stored == new_hash != old_hash
    assert await person_keys(state) == [new_hash], "the statistics count the same person"
    again = await rotate(odvarsel, "--rehash")
    assert "alert.national_id_hash: 0 re-hashed" in again.output

    # Hash key 1 removed: a new overdose of the same person links to the first.
    clock.advance(timedelta(days=3))
    async with service_with(settings, clock, new_settings.crypto) as (new_state, new_http):
        later = Scenario(
            factory=Factory(state=new_state, http=new_http, clock=clock),
            state=new_state,
            clock=clock,
            http=new_http,
            teams=scenario.teams,
        )
        later._clients = scenario._clients
        second = await later.alert(body=personal_body(), ago=timedelta(minutes=20))
        crisis = await later.take(second, team.member_ids[1])
    assert crisis is not None
    assert (crisis.serious_crisis, crisis.repeated_overdoses) == (True, 2)
    assert build_cipher(new_settings).active_key_id == "A"


async def test_a_retry_across_a_hash_rotation_is_still_a_retry(
    scenario: Scenario,
    settings: Settings,
    clock: FakeClock,
) -> None:
    await scenario.team()
    body = personal_body(consent={"state": "objected"})
    body["occurred_at"] = (clock.now() - timedelta(minutes=20)).isoformat()
    amk = await scenario.client()
    sent = await scenario.http.post("/v1/alerts", json=body, headers=amk.headers)
    assert sent.status_code == 201, sent.text

    # The hash key rotated; an objected alert keeps no incident id, so it is not re-hashed.
    rotated = crypto({"A": KEY_A}, "A", HASH_2, HASH_1)
    async with service_with(settings, clock, rotated) as (_state, http):
        retried = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert retried.status_code == 200, retried.text
    assert retried.json()["id"] == sent.json()["id"]
