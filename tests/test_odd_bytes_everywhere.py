"""Odd bytes in every field, as an outside checker sends them: every path and query parameter
of every API route, every top-level field of every JSON body, every leaf of an alert,
headers, Basic credentials, Twilio's signed webhooks, the crew form and OIDC sign-in (the
calendar import: tests/roster/test_ical_odd_bytes.py).

Never a 5xx; bad input is a 422 naming the field (a page saying so on the pages); an odd
optional alert field is dropped and listed, never the alert. The route sweeps enumerate
`api_routes()`, so a new route is covered when it is added. Run on PostgreSQL too: it refuses
a NUL that SQLite stores. (tests/test_http_input.py has the guard's own cases, and
tests/web/test_page_odd_bytes.py the staff pages' forms.)
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import text
from twilio.request_validator import RequestValidator

from app.alerts.schemas.examples import ALERT_EXAMPLE
from app.answers.inbound_router import INBOUND_PATH
from app.auth.scopes import Scope
from app.clock import FakeClock
from app.config import Settings
from app.config.sections import SmsSettings, StaffAuthSettings
from app.i18n import words
from app.input_guard import has_forbidden_characters
from app.main import api_routes
from app.notify.dispatcher import STATUS_CALLBACK_PATH
from app.state import AppState
from tests.databases import settings_for
from tests.factories import ApiCredentials, Factory, alert_body, count_alerts
from tests.problems import assert_problem
from tests.reporters.support import add_reporter, filled, open_form, sign_in
from tests.staff_auth import AUDIENCE, ISSUER, Provider, SigningKey, csrf_of, key_set

TWILIO_AUTH_TOKEN = "test-twilio-auth-token-0123456789"
PATH_ODD = ["%00", "%FF", "%C0%AF", "%ED%A0%80", "%EF%BF%BF", "%E2%80%AE", "%0A", "a" * 8000]
"""As sent on the wire: NUL, invalid and overlong UTF-8, an encoded surrogate, U+FFFF,
U+202E, a line feed, and a long value."""
JSON_ODD = ['"\\ud800"', '"\\uffff"', '"\\u202e"', '"x\\u0000"', "18446744073709551616", "1e400"]
"""As JSON text: a lone surrogate, noncharacter, RTL override, NUL, 2**64, beyond a double."""


@pytest.fixture(scope="module")
def provider_key() -> SigningKey:
    return SigningKey.rsa("k1")


@pytest.fixture
def settings(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path, provider_key: SigningKey
) -> Settings:
    """Twilio's auth token, so signed webhooks get past the signature; `oidc-email` (by
    indirect parametrisation) signs staff and reporters in by the ID token's email."""
    sms = SmsSettings(backend="console", twilio_auth_token=TWILIO_AUTH_TOKEN)
    update: dict[str, Any] = {"sms": sms}
    if getattr(request, "param", None) == "oidc-email":
        keys = tmp_path / "jwks.json"
        keys.write_text(json.dumps(key_set(provider_key)))
        update["staff"] = StaffAuthSettings(
            mode="oidc",
            oidc_issuer=ISSUER,
            oidc_audience=AUDIENCE,
            oidc_jwks_file=keys,
            oidc_match="email",
            oidc_claim="email",
        )
    return settings_for(database_url, tmp_path).model_copy(update=update)


@pytest.fixture
async def everyone(factory: Factory) -> ApiCredentials:
    """A client holding every scope, so that no route stops at authorisation."""
    return await factory.api_client(scopes=tuple(Scope))


async def _answer(http: httpx.AsyncClient, method: str, url: str, **kw: Any) -> int | str:
    """The status, or the exception the app raised instead of answering."""
    try:
        return (await http.request(method, url, **kw)).status_code
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:200]


def _failed(status: int | str) -> bool:
    return not isinstance(status, int) or status >= 500


# --- every route's path and query parameters, every JSON body's fields ----------------------


def _operations() -> Iterator[tuple[str, str, APIRoute]]:
    for context in iter_route_contexts(list(api_routes())):
        if isinstance(context.route, APIRoute):
            for method in sorted(context.route.methods or ()):
                yield method, context.route.path_format, context.route


async def _known_ids(factory: Factory, credentials: ApiCredentials) -> dict[str, str]:
    team, alert_id = await factory.team(), await factory.post_alert(credentials, alert_body())
    ids = {"alert_id": alert_id, "team_id": str(team.team_id)}
    return {**ids, "member_id": str(team.member_ids[0]), "code": "3107", "municipality": "3107"}


def _filled(path: str, known: dict[str, str], odd_name: str = "", odd: str = "") -> str:
    return re.sub(
        r"{(\w+)}",
        lambda m: odd if m[1] == odd_name else known.get(m[1], str(uuid.uuid4())),
        path,
    )


@pytest.mark.parametrize("odd", PATH_ODD, ids=range(len(PATH_ODD)))
async def test_no_odd_path_or_query_value_of_any_route_is_a_5xx(
    http: httpx.AsyncClient, factory: Factory, everyone: ApiCredentials, odd: str
) -> None:
    known = await _known_ids(factory, everyone)
    failures, sent = [], 0
    for method, path, route in _operations():
        body: dict[str, Any] = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        for name in re.findall(r"{(\w+)}", path):
            url = _filled(path, known, name, odd)
            status = await _answer(http, method, url, headers=everyone.headers, **body)
            failures += [(method, path, name, status)] if _failed(status) else []
            sent += 1
        for query in route.dependant.query_params:
            url = f"{_filled(path, known)}?{query.alias}={odd}"
            status = await _answer(http, method, url, headers=everyone.headers)
            failures += [(method, path, query.alias, status)] if _failed(status) else []
            sent += 1
    assert sent > 100  # the sweep reaches the routes
    assert failures == []


@pytest.mark.parametrize("odd", JSON_ODD)
async def test_no_odd_json_value_in_any_body_field_is_a_5xx(
    http: httpx.AsyncClient, factory: Factory, everyone: ApiCredentials, odd: str
) -> None:
    known = await _known_ids(factory, everyone)
    headers = {**everyone.headers, "Content-Type": "application/json"}
    failures, sent = [], 0
    for method, path, route in _operations():
        body_field = getattr(route, "body_field", None)
        if body_field is None or not hasattr(body_field.field_info.annotation, "model_fields"):
            continue
        for name, field in body_field.field_info.annotation.model_fields.items():
            raw = f'{{"{field.alias or name}": {odd}}}'
            url = _filled(path, known)
            status = await _answer(http, method, url, headers=headers, content=raw)
            failures += [(method, path, name, status)] if _failed(status) else []
            sent += 1
    assert sent > 100
    assert failures == []


def _leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    else:
        yield path


def _replaced(body: dict[str, Any], path: tuple[str, ...], raw: str) -> str:
    """`body` as JSON text with the leaf at `path` replaced by the JSON text `raw`."""
    marker = "ODD-LEAF-MARKER"
    copy = json.loads(json.dumps(body))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = marker
    return json.dumps(copy).replace(f'"{marker}"', raw)


@pytest.mark.parametrize("odd", ['"\\ud800"', '"x\\u0000"', "1e400", "18446744073709551616"])
async def test_an_odd_leaf_anywhere_in_an_alert_is_dropped_or_named_never_a_5xx(
    http: httpx.AsyncClient, factory: Factory, state: AppState, odd: str
) -> None:
    amk = await factory.api_client()
    headers = {**amk.headers, "Content-Type": "application/json"}
    required = {"dispatch_incident_id", "occurred_at", "municipality", "kind"}
    stored = 0
    for leaf in _leaves(ALERT_EXAMPLE):
        response = await http.post(
            "/v1/alerts", content=_replaced(alert_body(), leaf, odd), headers=headers
        )
        field = ".".join(leaf)
        if leaf[0] in required:
            errors = assert_problem(response, 422)["errors"]
            assert [e["field"] for e in errors] == [field], (field, errors)
            continue
        assert response.status_code == 201, (field, response.text)
        dropped = [d["field"] for d in response.json()["dropped_fields"]]
        assert any(field.startswith(d) or d.startswith(field) for d in dropped), (field, dropped)
        stored += 1
    assert await count_alerts(state) == stored
    assert not await _odd_text_stored(state, "alert")


async def _odd_text_stored(state: AppState, table: str) -> list[str]:
    """Text columns of `table` holding what the guard refuses (read back as stored)."""
    async with state.engine.connect() as connection:
        rows = (await connection.execute(text(f"SELECT * FROM {table}"))).all()
    return [v for row in rows for v in row if isinstance(v, str) and has_forbidden_characters(v)]


# --- headers ----------------------------------------------------------------------------------


ODD_HEADERS = [
    (b"authorization", b"Bearer \xff\xfe.\x00.x"),
    (b"authorization", b"Bearer " + b"a" * 9000),
    (b"authorization", b"Basic \x00"),
    (b"cookie", b'odv_staff="\\000\\377"; odv_reporter=\xff'),
    (b"cookie", b"odv_staff=" + b"a" * 8000),
    (b"accept-language", b"\xff;q=1e400, *;q=NaN"),
    (b"accept", b"\xff/\xff"),
    (b"x-request-id", b"\xff\x00"),
    (b"x-forwarded-for", b"\xff, ::1, garbage"),
    (b"content-type", b"application/json; charset=\xff"),
]


@pytest.mark.parametrize(("name", "value"), ODD_HEADERS, ids=range(len(ODD_HEADERS)))
async def test_an_odd_header_is_never_a_5xx(
    http: httpx.AsyncClient, factory: Factory, everyone: ApiCredentials, name: bytes, value: bytes
) -> None:
    amk = await factory.api_client()
    for method, path in [
        ("GET", "/v1/alerts"),
        ("GET", "/v1/staff/me"),
        ("GET", "/v1/statistics/3107"),
        ("POST", "/v1/alerts"),
        ("POST", "/v1/oauth/token"),
        ("GET", "/a/cases"),
        ("GET", "/a/s/signin"),
        ("GET", "/skjema/"),
        ("GET", "/skjema/s/logg-inn"),
    ]:
        own = everyone.headers if "statistics" in path else amk.headers
        headers = [*((k.encode(), v.encode()) for k, v in own.items() if k.encode() != name)]
        content = json.dumps(alert_body()).encode() if method == "POST" else None
        status = await _answer(
            http, method, path, headers=[*headers, (name, value)], content=content
        )
        assert not _failed(status), (method, path, status)


# --- the token endpoint's Basic credentials ---------------------------------------------------


def _basic(raw: bytes) -> bytes:
    return b"Basic " + base64.b64encode(raw)


@pytest.mark.parametrize("raw", [b"a\x00:b", b"%00:secret", b"x:%1B", b"x:\x7f"])
async def test_a_control_character_in_basic_credentials_is_a_422_naming_the_header(
    http: httpx.AsyncClient, everyone: ApiCredentials, raw: bytes
) -> None:
    """The form's fields pass the input guard, the Basic header did not: the NUL went on to
    PostgreSQL's lookup of the client (a 500)."""
    response = await http.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        headers=[(b"authorization", _basic(everyone.client_id.encode() + raw))],
    )
    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["Authorization"]
    assert "control character" in problem["errors"][0]["reason"]


@pytest.mark.parametrize(
    "value", [b"Basic \xff\xfe\xfd\xfc", b"Basic \xc3\xb8=", _basic(b"\xff:x")]
)
async def test_basic_credentials_that_are_no_base64_ascii_or_utf8_are_an_invalid_client(
    http: httpx.AsyncClient, value: bytes
) -> None:
    """Non-ASCII text made base64 raise ValueError, which was not caught: a 500."""
    response = await http.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        headers=[(b"authorization", value)],
    )
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    "form", [b"client_id=a%zz&client_secret=%", b"client_id=%FF%C0%AF&client_secret=%ED%A0%80"]
)
async def test_a_token_form_with_broken_percent_encoding_is_an_unknown_client(
    http: httpx.AsyncClient, form: bytes
) -> None:
    response = await http.post(
        "/v1/oauth/token",
        content=b"grant_type=client_credentials&" + form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"


# --- Twilio's webhooks, signed as Twilio signs ------------------------------------------------

TWILIO_ODD = ["\x00", "\x1b[31m", "\uffff", "\u202e", "ø😀" * 500, "a" * 20_000, "", " "]


@pytest.mark.parametrize("field", ["From", "Body", "MessageSid", "MessageStatus", "ErrorCode"])
async def test_odd_bytes_in_a_signed_twilio_webhook_are_never_a_5xx(
    http: httpx.AsyncClient, state: AppState, field: str
) -> None:
    """Signed with the real twilio library, so each request gets past the signature: a
    control character is a 422 naming the field, anything else an ordinary answer."""
    base = state.settings.http.public_base_url.rstrip("/")
    for path in (INBOUND_PATH, STATUS_CALLBACK_PATH, f"{STATUS_CALLBACK_PATH}/{uuid.uuid4()}"):
        for odd in TWILIO_ODD:
            params = {
                "MessageSid": "SM" + uuid.uuid4().hex,
                "From": "+4791000001",
                "To": "+4759440000",
                "Body": "OK 123",
                "MessageStatus": "delivered",
                field: odd,
            }
            signature = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(base + path, params)
            response = await http.post(
                path,
                content=urlencode(params),
                headers={
                    "X-Twilio-Signature": signature,
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            if has_forbidden_characters(odd):
                problem = assert_problem(response, 422)
                assert [e["field"] for e in problem["errors"]] == [field]
            else:
                assert response.status_code in (200, 204, 422), (path, odd[:9], response.text)
    assert not await _odd_text_stored(state, "outbox_message")


# --- the crew form and OIDC sign-in -----------------------------------------------------------


@pytest.mark.parametrize(
    "opened_at",
    ["0001-01-01T00:00:00+14:00", "0001-01-01T00:50:00+00:00"],
)
async def test_a_form_opened_at_year_1_is_a_page_saying_so_not_a_500(
    app: FastAPI, state: AppState, factory: Factory, opened_at: str
) -> None:
    """The hidden field could not be moved to Oslo time (OverflowError): a 500, the crew's
    form lost. Now it is the page that asks to open the form again."""
    await factory.team()
    await add_reporter(state)
    crew = await sign_in(app, state)
    form = filled(await open_form(crew), opened_at=opened_at, time="23:00")
    answer = await crew.post("/skjema/", data=form)
    assert answer.status_code == 422, answer.text
    assert words("nb").gettext("form.error.stale") in answer.text
    assert await count_alerts(state) == 0


@pytest.mark.parametrize("settings", ["oidc-email"], indirect=True)
@pytest.mark.parametrize("email", ["a\x00@kommune.no", "\x1b@kommune.no"])
async def test_an_id_token_whose_email_has_a_nul_is_refused_not_a_500(
    app: FastAPI,
    http: httpx.AsyncClient,
    factory: Factory,
    clock: FakeClock,
    provider_key: SigningKey,
    email: str,
) -> None:
    """Signed by the provider, so it passed the signature check; the NUL then reached
    PostgreSQL's lookup of the member (a 500 there, for staff and reporters alike)."""
    await factory.team()
    provider = Provider(key=provider_key, now=clock.now())
    api = await http.post(
        "/v1/staff/signin/oidc", json={"id_token": provider.token(phone_number=None, email=email)}
    )
    assert api.status_code in (401, 403), api.text
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://odvarsel.test"
    ) as browser:
        csrf = csrf_of((await browser.get("/skjema/s/logg-inn")).text)
        token = provider.token(phone_number=None, email=email)
        page = await browser.post("/skjema/s/oidc", data={"csrf": csrf, "id_token": token})
    assert page.status_code == 403, page.text
