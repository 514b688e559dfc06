"""Tenant isolation beside the route sweep (tests/test_tenant_isolation.py): Oslo's (B's) own
objects given Fredrikstad's (A's) ids in a body, and what the two municipalities share.

A reporter (an ambulance crew member) may report for several municipalities. Each of their
administrators sees the reporter, but only one who administers all of them changes the
reporter: otherwise Oslo could unbind Fredrikstad's crew, deactivate them, or give them a
mobile of its own and sign in as them to alert Fredrikstad.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from app.auth.scopes import Scope
from tests.factories import ApiCredentials, Factory
from tests.problems import assert_problem
from tests.tenant_world import EVERY_SCOPE, A, B

REPORTERS = "/v1/admin/reporters"
CREW = {
    "name": "Kari Ambulanse",
    "reporter_type": "ambulance",
    "municipalities": [A, B],
    "mobile": "+4791234000",
    "unit": "Ambulanse Østfold 2",
}


@pytest.fixture
async def shared(factory: Factory, http: httpx.AsyncClient) -> str:
    """A reporter of both municipalities, made by an administrator of both: its id."""
    both = await factory.api_client(municipalities=(A, B), scopes=(Scope.ADMIN,))
    made = await http.post(REPORTERS, json=CREW, headers=both.headers)
    assert made.status_code == 201, made.text
    reporter_id: str = made.json()["id"]
    return reporter_id


async def _read(http: httpx.AsyncClient, who: ApiCredentials, reporter_id: str) -> Any:
    response = await http.get(f"{REPORTERS}/{reporter_id}", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "", {**CREW, "municipalities": [B]}),
        ("PUT", "", {**CREW, "mobile": "+4799999999"}),
        ("PUT", "", {**CREW, "municipalities": [B], "mobile": "+4799999999"}),
        ("POST", "/deactivate", None),
    ],
)
async def test_a_shared_reporter_is_changed_only_by_who_administers_all_of_theirs(
    factory: Factory,
    http: httpx.AsyncClient,
    shared: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    fredrikstad = await factory.api_client(municipalities=(A,), scopes=EVERY_SCOPE)
    oslo = await factory.api_client(municipalities=(B,), scopes=EVERY_SCOPE)
    before = await _read(http, fredrikstad, shared)
    assert await _read(http, oslo, shared) == before  # Oslo sees its crew member

    url = f"{REPORTERS}/{shared}{path}"
    refused = await http.request(method, url, json=body, headers=oslo.headers)
    assert_problem(refused, 403)
    if A not in str(body):
        assert A not in refused.json()["detail"]
    assert await _read(http, fredrikstad, shared) == before

    own = await http.request(method, url, json=body, headers=fredrikstad.headers)
    assert_problem(own, 403)  # Fredrikstad alone may not unbind Oslo's crew either


async def test_a_reporter_of_one_municipality_is_still_its_administrators(
    factory: Factory, http: httpx.AsyncClient
) -> None:
    oslo = await factory.api_client(municipalities=(B,), scopes=(Scope.ADMIN,))
    made = await http.post(REPORTERS, json={**CREW, "municipalities": [B]}, headers=oslo.headers)
    assert made.status_code == 201, made.text
    url = f"{REPORTERS}/{made.json()['id']}"
    changed = await http.put(
        url, json={**CREW, "municipalities": [B], "unit": "2"}, headers=oslo.headers
    )
    assert changed.status_code == 200 and changed.json()["unit"] == "2"
    gone = await http.post(f"{url}/deactivate", headers=oslo.headers)
    assert gone.status_code == 200 and gone.json()["active"] is False
    unknown = await http.put(f"{REPORTERS}/{uuid.uuid4()}", json=CREW, headers=oslo.headers)
    assert_problem(unknown, 404)
