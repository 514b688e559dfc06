"""More sinks and more traffic for tests/test_leaks.py: the database at rest, webhooks, metrics,
follow-up cases, statistics; supplements and the crews' web form carrying personal values.

The traffic of tests/test_leaks.py runs first (its `traffic` fixture), then `More` adds its
own. A value sealed in its column is ciphertext; every sink here must hold none in plain.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import text
from twilio.request_validator import RequestValidator

from app.alerts import sealing
from app.alerts.models import Alert
from app.answers.inbound_router import INBOUND_PATH
from app.auth.scopes import Scope
from app.config import Settings
from app.state import AppState
from devtools.webhook_receiver import WebhookReceiver
from tests import test_leaks
from tests.databases import settings_for
from tests.personal_data import (
    DRUG,
    INVALID_NATIONAL_ID,
    NAME,
    NATIONAL_ID,
    PHONE_E164,
    PHONE_TYPED,
    PLACE,
    RECOGNISABLE,
    WARD,
    raw_rows,
)
from tests.reporters.support import add_reporter, filled, open_form, sign_in
from tests.test_leaks import Traffic
from tests.web.conftest import LINK, browser_client, csrf_of, link_in, take
from tests.webhooks.support import create_endpoint

traffic = test_leaks.traffic  # the first traffic, reused as it is

CALLBACK = "+4769000001"
CODE = re.compile(r"OK (\d{4,6})")
SUPPLEMENT_PERSON = {
    "national_id": NATIONAL_ID,
    "name": NAME,
    "phone": PHONE_TYPED,
    "birth_year": 1977,
}


STAFF_ANSWERS = [
    ("free_text", f"{NAME} er hjemme"),
    ("free_text", PLACE),
    ("free_text", f"ring {PHONE_TYPED}"),
    ("coming:20", ""),
]
"""What the member answers the crew: three carrying a personal value, then one plain."""


TWILIO_TOKEN = "leak-test-twilio-token"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The tests' settings with a Twilio auth token, so SMS replies can be signed and taken."""
    base = settings_for(database_url, tmp_path)
    sms = base.sms.model_copy(update={"twilio_auth_token": SecretStr(TWILIO_TOKEN)})
    return base.model_copy(update={"sms": sms})


@dataclass
class More:
    """The first traffic, and what this module added to it."""

    first: Traffic
    state: AppState
    receiver: WebhookReceiver
    answers: list[httpx.Response] = field(default_factory=list)
    form_alerts: list[str] = field(default_factory=list)
    crew: httpx.AsyncClient | None = None
    """The crew's browser, signed in to the form."""
    staff_answers: list[httpx.Response] = field(default_factory=list)
    replies: list[httpx.Response] = field(default_factory=list)
    """The TwiML answers to SMS replies."""

    async def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = await self.first.http.request(method, url, **kwargs)
        self.answers.append(response)
        return response


def _text(response: httpx.Response) -> str:
    return f"{response.status_code} {dict(response.headers)} {response.text}"


async def _supplements(more: More) -> None:
    """A correction with every personal value, the same on the objected alert, and a refused
    one with the values in the wrong places."""
    amk = more.first.amk.headers
    first, _retry, objected, *_ = more.first.alert_ids
    correction = {
        "supplement_id": "S-personal",
        "person": SUPPLEMENT_PERSON,
        "place": {"description": PLACE},
        "clinical": {"drug_description": DRUG},
    }
    for alert_id in (first, objected):
        url = f"/v1/alerts/{alert_id}/supplements"
        response = await more.send("POST", url, json=correction, headers=amk)
        assert response.status_code in (200, 201), response.text
    wrong = {"supplement_id": NAME, "person": {"birth_year": NATIONAL_ID, "phone": PLACE}}
    response = await more.send("POST", f"/v1/alerts/{first}/supplements", json=wrong, headers=amk)
    assert response.status_code == 422, response.text


async def _crew_form(more: More, app: FastAPI) -> None:
    """The crews' form at /skjema, once with every personal value, once with a wrong id."""
    await add_reporter(more.state, callback_phone=CALLBACK)
    browser = more.crew = await sign_in(app, more.state)
    values = {
        "name": NAME,
        "national_id": NATIONAL_ID,
        "phone": PHONE_TYPED,
        "place": PLACE,
        "birth_year": "1977",
        "callback": CALLBACK,
    }
    sent = await browser.post("/skjema/", data=filled(await open_form(browser), **values))
    assert sent.status_code == 303, sent.text
    more.form_alerts.append(sent.headers["location"].rsplit("/", 1)[-1])
    wrong = {**values, "national_id": INVALID_NATIONAL_ID}
    refused = await browser.post("/skjema/", data=filled(await open_form(browser), **wrong))
    assert refused.status_code in (200, 422), refused.text


async def _staff_answer(more: More, app: FastAPI) -> None:
    """The member paged for the crew's alert takes it on the link page and answers the crew
    (an SMS to the call-back number), after trying answers that carry personal values."""
    await more.first.scenario.settle()
    body = [b for _, b in more.first.scenario.sms() if LINK.search(b)][-1]
    link = link_in(body)
    async with browser_client(app) as staff:
        await take(staff, link)
        token = csrf_of((await staff.get(link)).text)
        for choice, free in STAFF_ANSWERS:
            answer = {"csrf": token, "choice": choice, "text": free}
            more.staff_answers.append(await staff.post(f"{link}/answer", data=answer))
    # Each answer with a personal value refused beside its field; the plain one sent.
    assert [r.status_code for r in more.staff_answers] == [422, 422, 422, 303]
    await more.first.scenario.settle()
    assert any(to == CALLBACK for to, _ in more.first.scenario.sms()), "the crew got no answer"


async def _reply(more: More, from_: str, body: str) -> None:
    """An SMS to our number, posted to the inbound webhook signed as Twilio signs it."""
    url = more.state.settings.http.public_base_url.rstrip("/") + INBOUND_PATH
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": from_, "To": "+4759440000"}
    params["Body"] = body
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    response = await more.first.http.post(
        INBOUND_PATH, data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 200, response.text
    more.replies.append(response)


async def _sms_replies(more: More) -> None:
    """The paged member replies with personal values after the code, and so does a stranger
    (from the person's own number) and the member without a code."""
    member, page = next((to, b) for to, b in more.first.scenario.sms() if CODE.search(b))
    code = CODE.search(page).group(1)  # type: ignore[union-attr]
    await _reply(more, PHONE_E164, f"OK {code}")
    await _reply(more, member, f"{NAME} {NATIONAL_ID} {PLACE}")
    await _reply(more, member, f"OK {code} {NAME} {PLACE}")
    await _reply(more, member, f"OK {code} 20")
    await more.first.scenario.settle()


async def _acknowledge_and_open_cases(more: More) -> None:
    """The standby member takes every alert (webhooks fire, follow-up cases open)."""
    async with more.state.engine.connect() as connection:
        member = (await connection.execute(text("SELECT id FROM member LIMIT 1"))).scalar_one()
    member_id = member if isinstance(member, uuid.UUID) else uuid.UUID(str(member))
    for alert_id in {*more.first.alert_ids, *more.form_alerts}:
        await more.first.scenario.take(uuid.UUID(alert_id), member_id)
    await more.first.scenario.settle()


@pytest.fixture
async def more(traffic: Traffic, app: FastAPI, state: AppState) -> AsyncIterator[More]:
    receiver = WebhookReceiver()
    async with receiver.serving():
        m = More(first=traffic, state=state, receiver=receiver)
        await create_endpoint(traffic.http, traffic.amk, receiver.url)
        await _supplements(m)
        await traffic.scenario.settle()  # the first traffic's alerts paged
        await _sms_replies(m)
        await _crew_form(m, app)
        await _staff_answer(m, app)
        await _acknowledge_and_open_cases(m)
        yield m


async def database(more: More) -> list[str]:
    """Every row of every table as SELECT * reads it (all text, JSON and binary columns)."""
    rows = await raw_rows(more.state)
    tables = {table for table, _ in rows}
    assert {"alert", "alert_version", "outbox_message", "access_log_entry"} <= tables
    return [f"{table} {row}" for table, row in rows]


async def database_file(more: More) -> list[str]:
    """On SQLite the raw bytes of the file and its WAL, free pages and all (a copied disk)."""
    url = more.state.engine.url
    if url.get_backend_name() != "sqlite":
        pytest.skip("the raw file is SQLite's")
    path = Path(str(url.database))
    files = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal")) if p.exists()]
    assert files and files[0].stat().st_size > 0
    return [p.read_bytes().decode("utf-8", errors="replace") for p in files]


async def webhook_payloads(more: More) -> list[str]:
    received = more.receiver.received
    assert received, "no webhook was delivered: this sink would prove nothing"
    return [f"{w.headers} {w.body.decode()}" for w in received]


async def metrics(more: More) -> list[str]:
    response = await more.first.http.get("/metrics")
    assert response.status_code == 200, response.text
    return [response.text]


async def supplement_answers(more: More) -> list[str]:
    """The answers to the supplements, taken and refused, and the statuses after them."""
    answers = [_text(r) for r in more.answers if "/supplements" in r.request.url.path]
    headers = more.first.amk.headers
    for alert_id in more.first.alert_ids:
        status = await more.first.http.get(f"/v1/alerts/{alert_id}", headers=headers)
        assert status.status_code == 200, status.text
        answers.append(_text(status))
    return answers


async def crew_pages(more: More) -> list[str]:
    """The crew's page of the alert it sent, answered: what the crew is shown."""
    assert more.crew is not None
    pages = []
    for alert_id in more.form_alerts:
        page = await more.crew.get(f"/skjema/varsel/{alert_id}")
        assert page.status_code == 200 and "Meldingen er sendt" in page.text, page.text
        pages.append(_text(page))
    return pages


async def case_answers(more: More) -> list[str]:
    """The follow-up cases, listed and each read, as the case system reads them."""
    who = await more.first.scenario.client(Scope.ALERTS_DETAILS)
    listed = await more.first.http.get("/v1/cases", headers=who.headers)
    assert listed.status_code == 200 and listed.json(), listed.text
    answers = [_text(listed)]
    for case in listed.json():
        read = await more.first.http.get(f"/v1/cases/{case['id']}", headers=who.headers)
        assert read.status_code == 200, read.text
        answers.append(_text(read))
    return answers


async def case_system_answers(more: More) -> list[str]:
    """What the case system reads besides the disclosure: the alert list, each alert's
    manual disclosures and inform duties."""
    who = await more.first.scenario.client(Scope.ALERTS_DETAILS)
    listed = await more.first.http.get("/v1/alerts", headers=who.headers)
    assert listed.status_code == 200 and len(listed.json()) >= len(more.first.alert_ids) - 1
    answers = [_text(listed)]
    for alert_id in {*more.first.alert_ids, *more.form_alerts}:
        for part in ("manual-disclosures", "inform-duties"):
            read = await more.first.http.get(f"/v1/alerts/{alert_id}/{part}", headers=who.headers)
            assert read.status_code == 200, read.text
            answers.append(_text(read))
    return answers


async def statistics(more: More) -> list[str]:
    """The month's statistics, JSON and CSV."""
    who = await more.first.scenario.client(Scope.STATISTICS_READ)
    await more.first.scenario.settle()
    url = f"/v1/statistics/3107?period={more.state.clock.now():%Y-%m}"
    answers = []
    for fmt in ("json", "csv"):
        response = await more.first.http.get(f"{url}&format={fmt}", headers=who.headers)
        assert response.status_code == 200, response.text
        answers.append(_text(response))
    return answers


async def sms_bodies(more: More) -> list[str]:
    """Every SMS, the crew's sign-in and call-back ones too (the outbox keeps them all)."""
    async with more.state.engine.connect() as connection:
        bodies = [
            row[0] for row in await connection.execute(text("SELECT body FROM outbox_message"))
        ]
    sent = [body for _, body in more.first.scenario.sms()]
    assert len(sent) > len(more.first.alert_ids)
    assert [body for to, body in more.first.scenario.sms() if to == CALLBACK]
    return [*bodies, *sent]


async def sms_reply_answers(more: More) -> list[str]:
    """The TwiML answers to the SMS replies (each an SMS back to whoever sent it)."""
    assert len(more.replies) == 4
    return [_text(r) for r in more.replies]


Sink = Callable[[More], Awaitable[list[str]]]
SINKS: dict[str, Sink] = {
    "database": database,
    "database file": database_file,
    "webhook payloads": webhook_payloads,
    "metrics": metrics,
    "supplement and status answers": supplement_answers,
    "follow-up case answers": case_answers,
    "case system answers": case_system_answers,
    "statistics": statistics,
    "SMS bodies": sms_bodies,
    "crew pages": crew_pages,
    "SMS-reply answers (TwiML)": sms_reply_answers,
    "logs": lambda m: test_leaks.logs(m.first),
}


@pytest.mark.parametrize("sink", list(SINKS))
async def test_no_personal_value_reaches(more: More, sink: str) -> None:
    texts = await SINKS[sink](more)
    assert texts, f"{sink}: nothing was observed"
    observed = "\n".join(texts)
    for value in [*RECOGNISABLE, WARD]:
        assert value not in observed, f"{sink} holds {value!r}"


async def test_an_objected_alert_supplemented_keeps_nothing_personal(more: More) -> None:
    """The supplement to the objected alert carried every personal value: opened with the
    keys, as an auditor would, the alert and its versions keep only the outcome and the age
    band (docs/rules.md, "Objected alerts: what is kept")."""
    objected = uuid.UUID(more.first.alert_ids[2])
    async with more.state.sessions() as session:
        alert = await session.get(Alert, objected)
        assert alert is not None and alert.version >= 2, "the supplement made no version"
        kept = sealing.all_personal_values(more.state.cipher, alert)
        reporter = sealing.reporter_values(more.state.cipher, alert)
        key = objected if more.state.engine.dialect.name == "postgresql" else objected.hex
        versions = await session.execute(
            text("SELECT version, replaced_sealed FROM alert_version WHERE alert_id = :id"),
            {"id": key},
        )
        replaced = [
            sealing.open_history(more.state.cipher, alert_id=objected, version=v, token=t)
            for v, t in versions.all()
        ]
    assert set(kept) <= {"clinical.outcome", "person.age_band"}, kept
    assert reporter == {} and alert.dispatch_incident_sealed is None
    for values in replaced:
        assert set(values) <= {"clinical.outcome", "person.age_band"}, values
