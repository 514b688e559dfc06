"""Tenant isolation, route by route: what an outside checker tries with "a valid token of
another municipality".

Every API route of the app (`app.main.api_routes()`, so a route added later is in the sweep)
is either in `ROUTES` with the calls that reach Fredrikstad's (A's) data, or in `GLOBAL` with
the reason it reaches no municipality's data; a route in neither fails the first test. Each
call is made by Oslo's (B's) client, which holds every scope for Oslo alone, and (where the
route takes a staff session) by Oslo's signed-in leader, against data that exists in A:

- a refusal is 403 or 404 (422 where a body names A, for that field), answered exactly as
  for ids and codes that do not exist, so nothing reveals that A's data is there;
- a list answers 200 with nothing of A;
- no answer holds anything of A the caller did not send itself (ids, names, numbers, the code);
- no table changed.

Then A's own client makes the same calls and gets what it asked for: the requests are valid,
so each refusal above is the tenant check and not a malformed request.
The pages: tests/test_tenant_pages.py; B's own data naming A's ids, and what A and B share
(reporters): tests/test_tenant_references.py; the rules of each domain: beside it.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from app.auth.staff.acting import acting_party
from app.auth.staff.deps import current_staff
from app.main import api_routes
from tests.scenario import Scenario
from tests.tenant_world import A, World, build, changed, request_example, snapshot
from tests.test_settings_documents import CASES as DOCUMENTS

REFUSED, EMPTY = "refused", "empty"
EXAMPLE = object()
"""The body is the first example of the operation's request body in the OpenAPI document."""
AS_READ = object()
"""The body is what A's own client reads with GET on the same path (a settings document)."""
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//NO\r\nBEGIN:VEVENT\r\nUID:v1\r\n"
    "SUMMARY:Ada Lund\r\nDTSTART:20261202T080000Z\r\nDTEND:20261203T080000Z\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Call:
    """One request on a route; `{name}` in the query and body is A's id of that name."""

    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    expect: str = REFUSED
    field: str | None = None
    """A 422 naming this field is the refusal (a body that names A), not a 403 or 404."""
    calendar: bool = False
    logs: bool = False  # the call logs its own look-up in the access log
    as_unknown: bool = True
    """Refused exactly as the same call naming data that does not exist."""
    own_listed: bool = True
    """A's own client finds A's data in the list (the list is not empty by accident)."""
    """The call writes its own access-log entry (who looked up whom): that table may change."""


_REPORTER = {
    "name": "R",
    "reporter_type": "ambulance",
    "municipalities": [A],
    "mobile": "+4791234999",
}
_ASKED = {"national_id": "01010750160", "reason": "Innsyn, sak 2026/1", "municipality": "{code}"}
"""A's person (the example alert's), asked of A by name."""
_BY = {"by": {"name": "Kari Solberg", "role": "leder"}}
_WEEK = {"starts_at": "2026-12-02T08:00:00Z", "ends_at": "2026-12-03T08:00:00Z"}
_DOCS = {
    f"{m} /v1/admin/municipalities/{{code}}/{d.name}": d
    for d in DOCUMENTS
    if not d.team  # the escalation policy: a team's, in ROUTES
    for m in "GP"
}
LISTED_BY_MUNICIPALITY = (Call(expect=EMPTY), Call(query={"municipality": "{code}"}))

ROUTES: dict[str, tuple[Call, ...]] = {
    # Documented (README, `alert-not-delivered`): 403 for a municipality served but not the
    # client's, 422 for one not served, so the dispatcher knows whom to call about it.
    "POST /v1/alerts": (Call(body=EXAMPLE, as_unknown=False),),
    "GET /v1/alerts": LISTED_BY_MUNICIPALITY,
    "GET /v1/alerts/{alert_id}": (Call(),),
    "GET /v1/alerts/{alert_id}/details": (Call(query={"reason": "Oppfølging av saken"}),),
    "POST /v1/alerts/{alert_id}/supplements": (Call(body=EXAMPLE),),
    "POST /v1/alerts/{alert_id}/manual-disclosures": (Call(body=EXAMPLE),),
    "GET /v1/alerts/{alert_id}/manual-disclosures": (Call(),),
    "GET /v1/alerts/{alert_id}/inform-duties": (Call(),),
    "PUT /v1/alerts/{alert_id}/inform-duties/{duty_id}": (Call(body=EXAMPLE),),
    "GET /v1/privacy/access-log": (
        Call(query={"alert_id": "{alert_id}"}),
        Call(query={"actor_id": "{actor_id}"}, expect=EMPTY),
    ),
    "POST /v1/privacy/access-log/person": (
        Call(body=EXAMPLE, expect=EMPTY, logs=True),
        Call(body=_ASKED, logs=True),
    ),
    "POST /v1/audit/access-report": (
        Call(body=EXAMPLE, expect=EMPTY, logs=True),
        Call(body=_ASKED, logs=True),
    ),
    "GET /v1/admin/municipalities": (Call(expect=EMPTY),),
    "PUT /v1/admin/municipalities/{code}/alert-team": (Call(body={"team_id": "{team_id}"}),),
    "POST /v1/admin/teams": (Call(body={"municipality": A, "name": "X"}, field="municipality"),),
    "GET /v1/admin/teams": (
        Call(expect=EMPTY),
        Call(query={"municipality": "{code}"}, expect=EMPTY),
    ),
    "GET /v1/admin/teams/{team_id}": (Call(),),
    "PATCH /v1/admin/teams/{team_id}": (Call(body={"name": "Renamed"}),),
    "POST /v1/admin/teams/{team_id}/members": (Call(body=EXAMPLE),),
    "GET /v1/admin/teams/{team_id}/members": (Call(),),
    "PATCH /v1/admin/teams/{team_id}/members/{member_id}": (Call(body=EXAMPLE),),
    "POST /v1/admin/teams/{team_id}/members/{member_id}/deactivate": (Call(),),
    "POST /v1/admin/teams/{team_id}/members/{member_id}/reactivate": (Call(),),
    "GET /v1/admin/reporters": (Call(expect=EMPTY),),
    "POST /v1/admin/reporters": (Call(body=EXAMPLE, field="municipalities"),),
    "GET /v1/admin/reporters/{reporter_id}": (Call(),),
    "PUT /v1/admin/reporters/{reporter_id}": (Call(body=_REPORTER),),
    "POST /v1/admin/reporters/{reporter_id}/deactivate": (Call(),),
    "POST /v1/admin/teams/{team_id}/rotations": (
        Call(body={"member_ids": ["{member_id}"], "anchor": "2026-11-23T08:00:00Z"}),
    ),
    "GET /v1/admin/teams/{team_id}/rotations": (Call(),),
    "DELETE /v1/admin/teams/{team_id}/rotations/{rotation_id}": (Call(),),
    "POST /v1/admin/teams/{team_id}/shifts": (Call(body={**_WEEK, "member_id": "{member_id}"}),),
    "GET /v1/admin/teams/{team_id}/shifts": (Call(),),
    "DELETE /v1/admin/teams/{team_id}/shifts/{shift_id}": (Call(),),
    "POST /v1/admin/teams/{team_id}/overrides": (Call(body={**_WEEK, "member_id": "{member_id}"}),),
    "GET /v1/admin/teams/{team_id}/overrides": (Call(),),
    "DELETE /v1/admin/teams/{team_id}/overrides/{override_id}": (Call(),),
    "POST /v1/admin/teams/{team_id}/rota-import": (Call(calendar=True),),
    "GET /v1/admin/teams/{team_id}/on-duty": (Call(),),
    "GET /v1/admin/teams/{team_id}/roster-holes": (Call(),),
    "GET /v1/admin/teams/{team_id}/escalation-policy": (Call(),),
    "PUT /v1/admin/teams/{team_id}/escalation-policy": (
        Call(body={"steps": [{"delay_minutes": 5, "targets": [{"kind": "on_duty"}]}]}),
    ),
    "GET /v1/admin/clients": (Call(expect=EMPTY),),
    "POST /v1/admin/clients/{client_id}/rotate-secret": (Call(),),
    "POST /v1/admin/clients/{client_id}/deactivate": (Call(),),
    "GET /v1/webhook-deliveries": (Call(expect=EMPTY),),
    "POST /v1/webhook-deliveries/{delivery_id}/resend": (Call(),),
    "GET /v1/cases": LISTED_BY_MUNICIPALITY,
    "GET /v1/cases/{case_id}": (Call(),),
    "POST /v1/cases/{case_id}/steps/{step_key}/records": (Call(body={"action": "done"}),),
    "POST /v1/cases/{case_id}/steps/{step_key}/assignment": (
        Call(body={"owner_member_id": "{member_id}"}),
    ),
    "POST /v1/cases/{case_id}/reassignment": (Call(body={"owner_member_id": "{member_id}"}),),
    "POST /v1/cases/{case_id}/closure": (Call(body=EXAMPLE),),
    "GET /v1/admin/municipalities/{code}/followup-templates/{kind}": (Call(),),
    "PUT /v1/admin/municipalities/{code}/followup-templates/{kind}": (Call(body=AS_READ),),
    "POST /v1/concern-reports": (Call(body=EXAMPLE, field="municipality"),),
    "GET /v1/concern-reports": LISTED_BY_MUNICIPALITY,
    "GET /v1/cluster-signals": LISTED_BY_MUNICIPALITY,
    "POST /v1/cluster-signals/{signal_id}/dismiss": (Call(body={"note": "Ikke aktuelt", **_BY}),),
    "GET /v1/drug-warnings": LISTED_BY_MUNICIPALITY,
    "POST /v1/drug-warnings": (
        Call(
            body={**_BY, "municipality": A, "signal_id": "{signal_id}", "text": "Ikke bruk alene."},
            field="municipality",
        ),
    ),
    "GET /v1/drug-warnings/{warning_id}": (Call(),),
    "PATCH /v1/drug-warnings/{warning_id}": (Call(body={"valid_days": 3, **_BY}),),
    "POST /v1/drug-warnings/{warning_id}/approve": (Call(body=_BY),),
    "POST /v1/drug-warnings/{warning_id}/review": (Call(body={"note": "Sett på nytt", **_BY}),),
    "GET /v1/incoming-drug-warnings": (
        Call(expect=EMPTY, own_listed=False),  # nobody warns A: its own list is empty too
        Call(query={"municipality": "{code}"}),
    ),
    "GET /v1/statistics/{municipality}": (Call(query={"period": "2026"}),),
}
for _route, _document in _DOCS.items():
    ROUTES[_route.replace("G ", "GET ").replace("P ", "PUT ")] = (
        Call(body=_document.body if _route.startswith("P") else None),
    )

GLOBAL: dict[str, str] = {
    "POST /v1/oauth/token": "issues a token to the client that authenticates; no data",
    "POST /v1/staff/signin/sms": "sign-in by the caller's own number; answers the same always",
    "POST /v1/staff/signin/link": "signs in the holder of a secret link; no municipality input",
    "POST /v1/staff/signin/oidc": "signs in the holder of an ID token; no municipality input",
    "GET /v1/staff/me": "the caller's own session",
    "POST /v1/staff/signout": "ends the caller's own session",
    "POST /v1/admin/municipalities": "the operator's global scope adds a municipality",
    "POST /v1/webhooks/twilio/status/{message_id}": "Twilio's signed delivery reports",
    "POST /v1/webhooks/twilio/status": "Twilio's signed delivery reports",
    "POST /v1/webhooks/twilio/inbound": "Twilio's signed inbound SMS",
    "PUT /v1/webhook-endpoint": "the calling client's own endpoint; names no municipality",
    "GET /v1/webhook-endpoint": "the calling client's own endpoint; names no municipality",
    "DELETE /v1/webhook-endpoint": "the calling client's own endpoint; names no municipality",
    "POST /v1/webhook-endpoint/rotate-secret": "the calling client's own endpoint",
    "GET /healthz": "liveness, no data",
    "GET /readyz": "readiness, no data",
    "GET /metrics": "the operator's aggregate counts, behind the metrics token",
}


def _operations() -> dict[str, APIRoute]:
    found: dict[str, APIRoute] = {}
    for context in iter_route_contexts(list(api_routes())):
        route = context.route
        assert isinstance(route, APIRoute)
        for method in sorted(route.methods or ()):
            found[f"{method} {context.path}"] = route
    return found


def _takes_staff(dependant: Dependant) -> bool:
    return dependant.call in (acting_party, current_staff) or any(
        _takes_staff(d) for d in dependant.dependencies
    )


OPERATIONS = _operations()
STAFF_ROUTES = sorted(k for k in ROUTES if _takes_staff(OPERATIONS[k].dependant))


def test_every_route_is_checked_or_global_with_a_reason() -> None:
    assert not set(ROUTES) & set(GLOBAL)
    assert sorted(set(OPERATIONS) - set(ROUTES) - set(GLOBAL)) == [], "add it to ROUTES or GLOBAL"
    assert sorted((set(ROUTES) | set(GLOBAL)) - set(OPERATIONS)) == [], "no such route"
    assert all(len(reason) > 10 for reason in GLOBAL.values())
    assert "GET /v1/cases/{case_id}" in STAFF_ROUTES  # the staff routes are found


@dataclass(frozen=True)
class Sent:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    calendar: bool

    @property
    def values(self) -> str:
        return json.dumps([self.path, self.query, self.body], ensure_ascii=False) + (
            ICS if self.calendar else ""
        )


def _fill(value: Any, ids: dict[str, str]) -> Any:
    """`value` with `{name}`s filled from `ids`; A's code (the examples name it) is `{code}`."""
    if value == A:
        return ids["code"]
    if isinstance(value, str):
        return value.format(**ids) if "{" in value else value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


async def _sent(world: World, key: str, call: Call, ids: dict[str, str], doc: Any) -> Sent:
    method, path = key.split(" ", 1)
    body = call.body
    if body is EXAMPLE:
        body = request_example(doc, path, method.lower())
    elif body is AS_READ:
        read = await world.http.get(path.format(**world.ids), headers=world.a_client.headers)
        assert read.status_code == 200, read.text
        body = read.json().get("template", read.json())
    return Sent(method, _fill(path, ids), _fill(call.query, ids), _fill(body, ids), call.calendar)


def _unknown(ids: dict[str, str]) -> dict[str, str]:
    """The same names for data that does not exist: fresh ids, a code nobody serves."""
    return {k: (str(uuid.uuid4()) if UUID.fullmatch(v) else v) for k, v in ids.items()} | {
        "code": "9999",
        "municipality": "9999",
        "client_id": "odv_" + uuid.uuid4().hex[:12],
    }


async def _send(world: World, sent: Sent, headers: dict[str, str]) -> httpx.Response:
    if sent.calendar:
        headers = {**headers, "Content-Type": "text/calendar"}
        return await world.http.request(
            sent.method, sent.path, params=sent.query, content=ICS, headers=headers
        )
    body = {} if sent.body is None and sent.method in ("POST", "PUT", "PATCH") else sent.body
    return await world.http.request(
        sent.method, sent.path, params=sent.query, json=body, headers=headers
    )


def _without(text: str, sent: Sent) -> str:
    """The answer with every value the caller sent taken out."""
    for value in sorted(set(UUID.findall(sent.values)) | {A, "9999"}, key=len, reverse=True):
        if value in sent.values:
            text = text.replace(value, "<sent>")
    return text


def _leaks(world: World, response: httpx.Response, sent: Sent) -> list[str]:
    text = _without(response.text, sent)
    found = {s for s in world.secrets if UUID.fullmatch(s) and s in text}
    text = UUID.sub("<id>", text)  # B's own ids might hold the digits of A's code
    return sorted(found | {s for s in world.secrets | {A} if s in text})


async def _attack(world: World, key: str, call: Call, who: dict[str, str], doc: Any) -> list[str]:
    """What went wrong when `who` (of B) makes `call` on A's data; [] when nothing did."""
    state = world.scenario.state
    sent = await _sent(world, key, call, world.ids, doc)
    before = await snapshot(state)
    response = await _send(world, sent, who)
    problems = [f"{key} {call}: {p}" for p in _judge(world, response, call, sent)]
    touched = changed(before, await snapshot(state))
    if touched := [t for t in touched if not (call.logs and t == "access_log_entry")]:
        problems.append(f"{key} {call}: changed {touched}")
    if call.expect == REFUSED and call.as_unknown and response.status_code in (403, 404, 422):
        twin = await _sent(world, key, call, _unknown(world.ids), doc)
        missing = await _send(world, twin, who)
        if (response.status_code, _plain(response, sent)) != (
            missing.status_code,
            _plain(missing, twin),
        ):
            problems.append(f"{key}: {response.text} differs from unknown {missing.text}")
    return problems


def _judge(world: World, response: httpx.Response, call: Call, sent: Sent) -> list[str]:
    status, problems = response.status_code, []
    if leaks := _leaks(world, response, sent):
        problems.append(f"leaks {leaks}: {response.text[:300]}")
    if call.expect == EMPTY and status != 200:
        problems.append(f"{status} for a list: {response.text[:300]}")
    if call.expect == REFUSED:
        fields = (
            [e.get("field") for e in response.json().get("errors", [])] if status == 422 else []
        )
        if not (status in (403, 404) or (call.field is not None and call.field in fields)):
            problems.append(f"{status}, not refused: {response.text[:300]}")
    return problems


def _plain(response: httpx.Response, sent: Sent) -> Any:
    body = json.loads(_without(response.text, sent)) if response.content else None
    return {**body, "instance": None} if isinstance(body, dict) else body


@pytest.fixture
async def world(scenario: Scenario, app: FastAPI) -> World:
    return await build(scenario, app.openapi())


async def test_another_municipalitys_client_gets_nothing_of_a(world: World, app: FastAPI) -> None:
    doc = app.openapi()
    b = world.b_client.headers
    problems = [
        p for k, calls in ROUTES.items() for c in calls for p in await _attack(world, k, c, b, doc)
    ]
    assert problems == [], "\n".join(problems)
    await _own_client_succeeds(world, doc)


async def test_another_municipalitys_leader_gets_nothing_of_a(world: World, app: FastAPI) -> None:
    doc = app.openapi()
    b = {"Authorization": f"Bearer {world.b_staff}"}
    problems = [
        p for k in STAFF_ROUTES for c in ROUTES[k] for p in await _attack(world, k, c, b, doc)
    ]
    for key in sorted(set(ROUTES) - set(STAFF_ROUTES)):  # the clients' own: no session counts
        answer = await _send(world, await _sent(world, key, ROUTES[key][0], world.ids, doc), b)
        if answer.status_code != 401:
            problems.append(f"{key} with a staff session: {answer.status_code}")
    assert problems == [], "\n".join(problems)


async def _own_client_succeeds(world: World, doc: Any) -> None:
    """A's own client: every call is answered (a list with A's data in it)."""
    failed = []
    for key, calls in ROUTES.items():
        for call in calls:
            sent = await _sent(world, key, call, world.ids, doc)
            response = await _send(world, sent, world.a_client.headers)
            # 409: the request reached A's data, in a state an earlier call left it in.
            if response.status_code not in (*range(200, 300), 409) or (
                call.expect == EMPTY and call.own_listed and not _leaks(world, response, sent)
            ):
                failed.append(f"{key} {call}: {response.status_code} {response.text[:200]}")
    assert failed == [], "\n".join(failed)
