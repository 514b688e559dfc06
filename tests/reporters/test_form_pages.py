"""The form for crews over HTTP: sign-in first, an alert through the API's intake, a resend
that makes no second alert, each error beside its field, only one's own alerts, and no way
from a reporter's session into the staff pages or API."""

from __future__ import annotations

import re
import uuid

import httpx
from fastapi import FastAPI

from app.api.admin import AdminScope
from app.auth.municipalities import EVERY_MUNICIPALITY
from app.reporters import service
from app.reporters.schemas import ReporterIn
from app.state import AppState
from tests.factories import Factory, count_alerts
from tests.reporters.support import add_reporter, filled, open_form, sign_in
from tests.scenario import Scenario
from tests.staff_auth import browser_client

ALERT_PAGE = re.compile(r"^/skjema/varsel/([0-9a-f-]{36})(\?.*)?$")


def alert_id_of(response: httpx.Response) -> tuple[uuid.UUID, str]:
    assert response.status_code == 303, response.text
    match = ALERT_PAGE.match(response.headers["location"])
    assert match, response.headers["location"]
    return uuid.UUID(match.group(1)), match.group(2) or ""


async def test_a_visitor_without_a_session_is_sent_to_sign_in(app: FastAPI) -> None:
    browser = browser_client(app)
    for path in ("/skjema/", f"/skjema/varsel/{uuid.uuid4()}"):
        page = await browser.get(path)
        assert page.status_code == 303 and page.headers["location"] == "/skjema/s/logg-inn"
    sent = await browser.post("/skjema/", data={"kind": "non_fatal"})
    assert sent.status_code == 303 and sent.headers["location"] == "/skjema/s/logg-inn"


async def test_the_form_sends_one_alert_however_often_it_is_sent(
    app: FastAPI, state: AppState, scenario: Scenario
) -> None:
    await scenario.team()
    await add_reporter(state)
    browser = await sign_in(app, state)
    form = filled(await open_form(browser), name="Ola Nordmann", birth_year="1990")

    alert_id, query = alert_id_of(await browser.post("/skjema/", data=form))
    assert query == ""
    assert await count_alerts(state) == 1
    page = await browser.get(f"/skjema/varsel/{alert_id}")
    assert page.status_code == 200
    assert "Meldingen er sendt" in page.text and "Ola" not in page.text

    # The connection dropped: the same form sent again is the same alert.
    again_id, again = alert_id_of(await browser.post("/skjema/", data=form))
    assert (again_id, again) == (alert_id, "?igjen=1")
    assert "allerede sendt" in (await browser.get(f"/skjema/varsel/{again_id}?igjen=1")).text
    # Sent again with a change: still no second alert, the first one stands.
    changed_id, changed = alert_id_of(await browser.post("/skjema/", data={**form, "place": "X"}))
    assert (changed_id, changed) == (alert_id, "?endret=1")
    assert await count_alerts(state) == 1

    # The alert is the API's: paged as any, with the crew's reporter section.
    await scenario.settle()
    assert scenario.sms_to(scenario.member(0)), "the on-duty member was paged"
    page = await browser.get(f"/skjema/varsel/{alert_id}")
    assert "Vakten varslet" in page.text


async def test_each_error_is_shown_beside_its_field(
    app: FastAPI, state: AppState, scenario: Scenario
) -> None:
    await scenario.team()
    await add_reporter(state)
    browser = await sign_in(app, state)
    hidden = await open_form(browser)
    wrong = {
        **hidden,
        "municipality": "0301",
        "kind": "non_fatal",
        "consent": "objects",
        "relatives": "yes",
        "time": "25:99",
        "national_id": "01010750161",
        "birth_year": "90",
        "naloxone": "no",
        "doses": "2",
        "callback": "12",
    }
    page = await browser.post("/skjema/", data=wrong)
    assert page.status_code == 422
    expected = {
        "municipality": "Velg et av svarene.",
        "outcome": "Velg ett svar.",
        "relatives": "Bare når personen sa ja",
        "time": "TT:MM",
        "national_id": "Fødselsnummeret er ikke gyldig",
        "birth_year": "fire siffer",
        "doses": "nalokson ikke ble gitt",
        "callback": "gyldig telefonnummer",
    }
    for field, words in expected.items():
        error = re.search(rf'id="{field}-error">([^<]*)<', page.text)
        assert error, f"no error beside {field}"
        assert words in error.group(1), (field, error.group(1))
    assert 'value="01010750161"' in page.text, "what was typed is shown again"
    assert await count_alerts(state) == 0
    fixed = await browser.post("/skjema/", data=filled(hidden))
    alert_id_of(fixed)


async def test_only_the_reporter_who_sent_it_sees_the_alert(
    app: FastAPI, state: AppState, scenario: Scenario, factory: Factory
) -> None:
    await scenario.team()
    await factory.team(municipality="0301")
    kari = await add_reporter(state)
    await add_reporter(state, name="Per", mobile="+4799000002")
    await add_reporter(state, name="Oslo", mobile="+4799000003", municipalities=("0301",))
    browser = await sign_in(app, state)
    alert_id, _ = alert_id_of(await browser.post("/skjema/", data=filled(await open_form(browser))))
    path = f"/skjema/varsel/{alert_id}"
    for mobile in ("+4799000002", "+4799000003"):
        other = await sign_in(app, state, mobile)
        assert (await other.get(path)).status_code == 404
    assert (await browser.get(f"/skjema/varsel/{uuid.uuid4()}")).status_code == 404
    assert (await browser.get("/skjema/varsel/not-an-id")).status_code == 404
    # Moved to another municipality, the reporter no longer sees the alerts of the first.
    async with state.sessions() as session, session.begin():
        await service.replace(
            AdminScope(session, EVERY_MUNICIPALITY, state.clock.now()),
            kari.id,
            ReporterIn.model_validate(
                {
                    **kari.model_dump(include=set(ReporterIn.model_fields)),
                    "municipalities": ["0301"],
                }
            ),
        )
    assert (await browser.get(path)).status_code == 404


async def test_a_reporter_is_no_staff_member(
    app: FastAPI, state: AppState, http: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.municipalities()
    await add_reporter(state)
    browser = await sign_in(app, state)
    token = browser.cookies.get("odv_reporter")
    assert token
    forged = browser_client(app)  # the reporter's token presented as a staff session
    forged.cookies.set("odv_staff", token, domain="odvarsel.test", path="/a")
    for client in (browser, forged):
        for path in ("/a/cases", "/a/s/me"):
            page = await client.get(path)
            assert page.status_code == 303, path
            assert page.headers["location"].startswith("/a/s/signin"), path
    api = await http.get("/v1/staff/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401


async def test_a_form_without_its_csrf_field_is_refused(
    app: FastAPI, state: AppState, scenario: Scenario
) -> None:
    await scenario.team()
    await add_reporter(state)
    browser = await sign_in(app, state)
    form = filled(await open_form(browser))
    refused = await browser.post("/skjema/", data={**form, "csrf": "x" * 64})
    assert refused.status_code == 403
    assert await count_alerts(state) == 0


async def test_sign_out_ends_the_session(app: FastAPI, state: AppState, factory: Factory) -> None:
    await factory.municipalities()
    await add_reporter(state)
    browser = await sign_in(app, state)
    hidden = await open_form(browser)
    out = await browser.post("/skjema/s/logg-ut", data={"csrf": hidden["csrf"]})
    assert out.status_code == 303 and "utlogget=1" in out.headers["location"]
    assert (await browser.get("/skjema/")).status_code == 303
