"""Input that used to give 400 or 500: chunked bodies over the limit, unreadable JSON, duplicate
keys, deep nesting, NUL and other control characters, wrong content types.

Every answer is a problem detail, never a 500, and an odd optional alert field never costs
the alert. Many of these only failed on PostgreSQL (NUL bytes): run with TEST_DATABASE too.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.auth.scopes import Scope
from app.input_guard import empty_deeper_than
from app.notify.dispatcher import STATUS_CALLBACK_PATH
from app.state import AppState
from tests.factories import ApiCredentials, Factory, alert_body, count_alerts
from tests.problems import assert_problem


@pytest.fixture
async def amk(factory: Factory) -> ApiCredentials:
    return await factory.api_client(municipalities=("3107",))


def json_headers(credentials: ApiCredentials) -> dict[str, str]:
    return {**credentials.headers, "Content-Type": "application/json"}


# --- body size ---------------------------------------------------------------------------


async def _chunks(body: bytes, size: int = 8192) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def test_a_chunked_body_over_the_limit_is_a_413(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
):
    body = alert_body(place={"description": "x" * 70_000})
    response = await http.post(
        "/v1/alerts", content=_chunks(json.dumps(body).encode()), headers=json_headers(amk)
    )
    assert "content-length" not in response.request.headers  # really chunked
    problem = assert_problem(response, 413)
    assert problem["type"].endswith("/body-too-large")
    assert await count_alerts(state) == 0


async def test_the_413_is_a_valid_problem_for_any_path(http: httpx.AsyncClient):
    big = b"x" * 70_000
    response = await http.post('/v1/"quoted"\\path', content=big)
    problem = assert_problem(response, 413)  # hand-built JSON broke on such paths
    assert '"quoted"' not in problem["instance"]


# --- JSON that cannot be read --------------------------------------------------------------


async def test_malformed_json_names_line_and_column_not_a_field(
    http: httpx.AsyncClient, amk: ApiCredentials
):
    raw = b'{\n  "kind": "fatal",\n  "municipality": 3107x\n}'
    problem = assert_problem(
        await http.post("/v1/alerts", content=raw, headers=json_headers(amk)), 422
    )
    assert problem["type"].endswith("/malformed-json")
    assert (problem["line"], problem["column"]) == (3, 23)
    assert "line 3, column 23" in problem["detail"]
    assert "Content-Type: application/json" in problem["detail"]
    assert "UTF-8" in problem["detail"]
    assert "errors" not in problem


@pytest.mark.parametrize(
    "raw",
    [
        "{}".encode("utf-16"),
        b'{"dispatch_incident_id": "\xff\xfe"}',
        b'{"kind": NaN}',
        b'{"kind": Infinity}',
        b'{"n": ' + b"9" * 5000 + b"}",
        b"[" * 20_000 + b"]" * 20_000,
    ],
    ids=["utf-16", "latin-1 bytes", "NaN", "Infinity", "huge integer", "too deep to parse"],
)
async def test_a_body_that_is_no_utf8_json_is_a_malformed_json_problem(
    http: httpx.AsyncClient, amk: ApiCredentials, raw: bytes
):
    problem = assert_problem(
        await http.post("/v1/alerts", content=raw, headers=json_headers(amk)), 422
    )
    assert problem["type"].endswith("/malformed-json")
    assert "Content-Type: application/json" in problem["detail"]


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
async def test_a_json_body_with_the_wrong_content_type_is_a_415(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState, content_type: str | None
):
    headers = dict(amk.headers)
    if content_type:
        headers["Content-Type"] = content_type
    response = await http.post("/v1/alerts", content=json.dumps(alert_body()), headers=headers)
    problem = assert_problem(response, 415)
    assert "Content-Type: application/json" in problem["detail"]
    assert await count_alerts(state) == 0


# --- duplicate keys and depth ---------------------------------------------------------------


async def test_a_duplicate_key_is_refused_and_named(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
):
    body = json.dumps(alert_body(consent={"state": "objected"}))
    raw = body[:-1] + ', "consent": {"state": "consented"}}'
    problem = assert_problem(
        await http.post("/v1/alerts", content=raw, headers=json_headers(amk)), 422
    )
    assert problem["type"].endswith("/validation-error")
    assert problem["errors"] == [{"field": "consent", "reason": "the key occurs more than once"}]
    assert await count_alerts(state) == 0


async def test_a_nested_duplicate_key_is_named_by_its_path(
    http: httpx.AsyncClient, amk: ApiCredentials
):
    raw = json.dumps(alert_body())[:-1] + ', "person": {"name": "A", "name": "B"}}'
    problem = assert_problem(
        await http.post("/v1/alerts", content=raw, headers=json_headers(amk)), 422
    )
    assert {e["field"] for e in problem["errors"]} == {"person", "person.name"}


async def test_an_odd_optional_field_nested_500_deep_is_dropped_not_fatal(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
):
    deep: Any = "x"
    for _ in range(500):
        deep = [deep]
    body = alert_body()
    body["person"]["shoe_size"] = deep
    body["clinical"]["substances"] = deep
    response = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert response.status_code == 201, response.text
    dropped = {d["field"] for d in response.json()["dropped_fields"]}
    assert {"person.shoe_size"} <= dropped
    assert any(f.startswith("clinical.substances") for f in dropped)
    assert await count_alerts(state) == 1


def _nested(levels: int, inner: str = '"x"') -> str:
    """JSON text of `inner` inside `levels` arrays: json.dumps recurses, and gives up first."""
    return "[" * levels + inner + "]" * levels


async def test_an_odd_optional_field_nested_thousands_deep_is_dropped_not_fatal(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
):
    """Python's parser gives up some thousand levels down: the whole alert was a
    malformed-json 422 for one odd optional field, against the promise to drop it."""
    body = alert_body(place={"description": "Stasjonen", "note": "DEEP"})
    body["clinical"]["substances"] = ["heroin", "DEEP"]
    raw = json.dumps(body).replace('"DEEP"', _nested(5000))
    response = await http.post("/v1/alerts", content=raw, headers=json_headers(amk))
    assert response.status_code == 201, response.text
    alert = response.json()
    assert (alert["dispatch_incident_id"], alert["municipality"]) == (
        body["dispatch_incident_id"],
        "3107",
    )
    assert {d["field"] for d in alert["dropped_fields"]} == {"place.note", "clinical.substances.1"}
    assert await count_alerts(state) == 1


async def test_a_required_field_nested_thousands_deep_names_the_field(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
):
    raw = json.dumps(alert_body(municipality="DEEP")).replace('"DEEP"', _nested(5000, '"3107"'))
    problem = assert_problem(
        await http.post("/v1/alerts", content=raw, headers=json_headers(amk)), 422
    )
    assert problem["type"].endswith("/validation-error")
    assert [e["field"] for e in problem["errors"]] == ["municipality"]
    assert await count_alerts(state) == 0


@pytest.mark.parametrize(
    ("text", "emptied"),
    [
        ('{"a": [1, 2], "b": {"c": 3}}', '{"a": [1, 2], "b": {"c": 3}}'),
        ('{"a": [[["x"]]]}', '{"a": [[     ]]}'),
        ('{"a": [[1], [2, 3]]}', '{"a": [[ ], [    ]]}'),
        ('{"a": "[[[[", "b": [[1]]}', '{"a": "[[[[", "b": [[ ]]}'),
        ('{"a": "\\"", "b": [[[\n1\n]]]}', '{"a": "\\"", "b": [[ \n \n ]]}'),
        (r'{"a": "\\", "b": [[[1]]]}', r'{"a": "\\", "b": [[   ]]}'),
        ('{"a": [[[1]]', '{"a": [[   ]'),
    ],
    ids=[
        "shallow",
        "deep",
        "twice",
        "brackets in text",
        "escapes and lines",
        "escaped backslash",
        "unclosed",
    ],
)
def test_what_lies_deeper_is_emptied_in_place(text: str, emptied: str):
    """Emptied at depth 2 (the object and one array kept), with lines and columns kept."""
    assert empty_deeper_than(text, 2) == emptied
    assert len(emptied) == len(text)


async def test_deep_nesting_elsewhere_is_a_422(factory: Factory, http: httpx.AsyncClient):
    officer = await factory.api_client(scopes=(Scope.PRIVACY_READ,))
    deep: Any = "01010750160"
    for _ in range(40):
        deep = {"a": deep}
    response = await http.post(
        "/v1/privacy/access-log/person",
        json={"national_id": deep, "reason": "Innsyn"},
        headers=officer.headers,
    )
    problem = assert_problem(response, 422)
    assert "nested deeper than" in problem["detail"]


# --- NUL and other control characters -------------------------------------------------------


@pytest.mark.parametrize("value", ["AMK\u0000-1", "AMK-\u0007", "AMK-\ud800"])
async def test_a_control_character_in_the_incident_id_is_a_422(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState, value: str
):
    raw = json.dumps(alert_body(dispatch_incident_id=value))  # \ud800 as an escape
    response = await http.post("/v1/alerts", content=raw, headers=json_headers(amk))
    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["dispatch_incident_id"]
    assert "control character" in problem["errors"][0]["reason"]
    assert await count_alerts(state) == 0


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ("reporter", "unit"),
        ("reporter", "callback_phone"),
        ("person", "name"),
        ("person", "phone"),
        ("person", "national_id"),
        ("place", "description"),
    ],
)
async def test_a_nul_in_optional_text_is_dropped_and_the_alert_stored(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState, section: str, field: str
):
    body = alert_body()
    body.setdefault(section, {})[field] = "Ambulanse\u0000 2"
    response = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert response.status_code == 201, response.text
    assert [d["field"] for d in response.json()["dropped_fields"]] == [f"{section}.{field}"]
    assert await count_alerts(state) == 1


async def test_a_nul_in_an_unknown_field_or_its_name_costs_nothing(
    http: httpx.AsyncClient, amk: ApiCredentials, state: AppState
):
    body = alert_body()
    body["person"]["na\u0000me"] = "x"
    body["place"]["note"] = "\u0000"
    response = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert response.status_code == 201, response.text
    assert {d["field"] for d in response.json()["dropped_fields"]} == {
        "person.<withheld>",
        "place.note",
    }


async def test_a_nul_in_admin_text_is_a_422(factory: Factory, http: httpx.AsyncClient):
    admin = await factory.admin_client()
    await factory.municipalities()
    response = await http.post(
        "/v1/admin/teams",
        json={"municipality": "3107", "name": "MOT\u0000"},
        headers=admin.headers,
    )
    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["name"]


async def test_a_nul_in_a_member_name_is_a_422(factory: Factory, http: httpx.AsyncClient):
    admin = await factory.admin_client()
    setup = await factory.team(member_names=("Ada",))
    response = await http.post(
        f"/v1/admin/teams/{setup.team_id}/members",
        json={"name": "Kari\u0000", "mobile": "+4791234567", "role": "sykepleier"},
        headers=admin.headers,
    )
    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["name"]


@pytest.mark.parametrize("query", ["actor_id=a%00b", "actor_id=ok&x%00=1", "actor_id=%7F"])
async def test_a_nul_in_a_query_parameter_is_a_422(
    factory: Factory, http: httpx.AsyncClient, query: str
):
    officer = await factory.api_client(scopes=(Scope.PRIVACY_READ,))
    response = await http.get(f"/v1/privacy/access-log?{query}", headers=officer.headers)
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["reason"].startswith("contains a control character")


async def test_a_nul_in_a_path_is_a_422(http: httpx.AsyncClient, amk: ApiCredentials):
    response = await http.get("/v1/alerts/%00", headers=amk.headers)
    assert_problem(response, 422)


async def test_a_nul_in_a_form_field_of_the_token_endpoint_is_a_422(http: httpx.AsyncClient):
    response = await http.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "a\u0000", "client_secret": "s"},
    )
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "client_id"


async def test_a_nul_in_a_twilio_webhook_field_is_a_422(http: httpx.AsyncClient):
    response = await http.post(
        STATUS_CALLBACK_PATH, data={"MessageSid": "SM\u0000", "MessageStatus": "delivered"}
    )
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "MessageSid"


async def test_a_page_cursor_beyond_a_database_integer_is_a_422(
    factory: Factory, http: httpx.AsyncClient
):
    officer = await factory.api_client(scopes=(Scope.PRIVACY_READ,))
    response = await http.get(
        f"/v1/privacy/access-log?actor_id=x&after={10**20}", headers=officer.headers
    )
    problem = assert_problem(response, 422)  # PostgreSQL refused the bigint: a 500
    assert problem["errors"][0]["field"] == "after"


async def test_a_multipart_form_is_a_415_not_read_unchecked(http: httpx.AsyncClient):
    response = await http.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_secret": "s"},
        files={"client_id": (None, "a\u0000")},  # multipart/form-data
    )
    problem = assert_problem(response, 415)  # the NUL went on to PostgreSQL: a 500
    assert "application/x-www-form-urlencoded" in problem["detail"]
