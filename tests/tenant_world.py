"""Two municipalities for the tenant isolation tests (tests/test_tenant_isolation.py).

Fredrikstad (3107, "A") holds one of everything a municipality owns, made through the API and
the services as its own clients and staff would: a team with members and a roster, alerts in
a cluster, a taken alert's follow-up case, a manual disclosure and its inform duty, a concern
report, a cluster signal, a drug warning, a reporter, an API client and a webhook delivery.
Oslo (0301, "B") has a team with a leader, a client with every scope for Oslo alone, and the
leader's staff session: the attackers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlmodel import SQLModel

import app.tables  # noqa: F401 - every table in the metadata
from app.auth.scopes import Scope
from app.drug_warnings.signals.service import check_clusters
from app.state import AppState
from tests.factories import ApiCredentials, TeamSetup, alert_body
from tests.scenario import Scenario
from tests.web.test_case_pages import session_token
from tests.webhooks.support import create_endpoint, enqueue

A, B = "3107", "0301"
A_NAME = "Fredrikstad"
EVERY_SCOPE = tuple(Scope)
BY = {"name": "Kari Solberg", "role": "leder, Ressursteam overdose"}
WARNING_TEXT = "Flere overdoser siste døgn i sentrum. Ikke bruk alene, ha nalokson klar."


@dataclass
class World:
    """A's ids by the name of the path parameter that carries them; B's credentials."""

    scenario: Scenario
    a_client: ApiCredentials
    b_client: ApiCredentials
    b_staff: str
    a_team: TeamSetup
    b_team: TeamSetup
    ids: dict[str, str] = field(default_factory=dict)
    secrets: set[str] = field(default_factory=set)
    """What must never reach B: A's ids, names, numbers."""

    @property
    def http(self) -> httpx.AsyncClient:
        return self.scenario.http


async def _ok(response: httpx.Response) -> Any:
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


async def build(scenario: Scenario, document: dict[str, Any]) -> World:
    """A's data, B's attackers; `document` is the app's OpenAPI document (its examples)."""
    factory, http = scenario.factory, scenario.http
    a_team = await scenario.team(municipality=A)
    a_client = await factory.api_client(municipalities=(A,), scopes=EVERY_SCOPE)
    b_team = await factory.team(municipality=B, name="Oslo team", member_names=("Di Berg",))
    b_client = await factory.api_client(municipalities=(B,), scopes=EVERY_SCOPE)
    b_staff = await session_token(scenario.state, scenario.clock, b_team, 0)
    world = World(scenario, a_client, b_client, b_staff, a_team, b_team)
    ids = world.ids
    ids.update(code=A, municipality=A, team_id=str(a_team.team_id), kind="survivor")
    amk = await scenario.client(municipalities=(A,))  # its secret is rotated, then deactivated
    ids.update(member_id=str(a_team.member_ids[1]), client_id=amk.client_id)
    ids.update(step_key="reach", actor_id=a_client.client_id)

    async def a(method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        sent = await http.request(method, path, json=body, headers=a_client.headers, **kwargs)
        return await _ok(sent)

    team = f"/v1/admin/teams/{a_team.team_id}"
    ids["rotation_id"] = (await a("GET", f"{team}/rotations"))[0]["id"]
    week = {"starts_at": "2026-11-30T08:00:00Z", "ends_at": "2026-12-01T08:00:00Z"}
    shift = await a("POST", f"{team}/shifts", {**week, "member_id": ids["member_id"]})
    override = await a("POST", f"{team}/overrides", {**week, "member_id": ids["member_id"]})
    ids.update(shift_id=shift["id"], override_id=override["id"])
    reporter = {"name": "Rita Ambulanse", "reporter_type": "ambulance", "municipalities": [A]}
    reporter["mobile"] = "+4791234999"
    ids["reporter_id"] = (await a("POST", "/v1/admin/reporters", reporter))["id"]

    alerts = [await scenario.alert(ago=timedelta(hours=h), naloxone=False) for h in (3, 2)]
    last = alert_body(occurred_at=(scenario.clock.now() - timedelta(hours=1)).isoformat())
    last.pop("naloxone")  # its dose time would have to follow the overdose moved back
    alerts.append(uuid.UUID(await factory.post_alert(a_client, last)))  # A's client reads it
    for _ in alerts:
        await scenario.state.worker.run_until_idle()
        async with scenario.state.sessions() as session, session.begin():
            await check_clusters(
                session, municipality_code=A, now=scenario.clock.now(), cipher=scenario.state.cipher
            )
    ids["alert_id"] = str(alerts[-1])
    case = await scenario.take(alerts[-1], a_team.member_ids[1])
    assert case is not None
    ids["case_id"] = str(case.id)

    [signal] = await a("GET", "/v1/cluster-signals")
    ids["signal_id"] = signal["id"]
    concern = {"municipality": A, "reporter_kind": "police", "description": "Blå tabletter M30."}
    ids["report_id"] = (await a("POST", "/v1/concern-reports", concern))["id"]
    warning = {"municipality": A, "signal_id": signal["id"], "text": WARNING_TEXT, "by": BY}
    ids["warning_id"] = (await a("POST", "/v1/drug-warnings", warning))["id"]
    disclosure = request_example(document, "/v1/alerts/{alert_id}/manual-disclosures", "post")
    await a("POST", f"/v1/alerts/{ids['alert_id']}/manual-disclosures", disclosure)
    duty = (await a("GET", f"/v1/alerts/{ids['alert_id']}/inform-duties"))[0]
    ids["duty_id"] = duty["id"]

    await create_endpoint(http, a_client, "http://127.0.0.1:9/hooks")  # nothing is sent
    await enqueue(scenario.state, scenario.clock, a_client, alerts[-1])
    [delivery] = await a("GET", "/v1/webhook-deliveries")
    ids["delivery_id"] = delivery["id"]

    world.secrets = {v for k, v in ids.items() if k not in ("step_key", "kind", "actor_id")}
    world.secrets |= {a_client.client_id}
    world.secrets |= {str(m) for m in a_team.member_ids} | set(a_team.mobiles.values())
    world.secrets |= {str(a) for a in alerts} | {A_NAME, "Ada Lund", "Bo Dahl", "Cy Moe"}
    world.secrets |= {"Rita Ambulanse", "+4791234999", "Blå tabletter"}
    return world


def request_example(document: dict[str, Any], path: str, method: str) -> Any:
    """The first example of the operation's request body in the OpenAPI document."""
    content = document["paths"][path][method]["requestBody"]["content"]
    [(_, media)] = content.items()
    if "example" in media:
        return media["example"]
    name = media["schema"]["$ref"].rsplit("/", 1)[1]
    return document["components"]["schemas"][name]["examples"][0]


async def snapshot(state: AppState) -> dict[str, list[str]]:
    """Every row of every table, as text: what a refused request must leave unchanged."""
    rows: dict[str, list[str]] = {}
    async with state.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            found = await connection.execute(text(f'SELECT * FROM "{table.name}"'))
            rows[table.name] = sorted(repr(tuple(row)) for row in found)
    return rows


def changed(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


def fresh_uuid() -> str:
    return str(uuid.uuid4())
