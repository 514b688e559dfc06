"""Odd bytes in every field of the signed-in staff pages' forms and ids: each is answered with
a page (a refusal, a not-found), never a 500, and nothing odd is stored. The API has its input
guard; these forms are checked by the pages and their models (PostgreSQL refuses a NUL).

The leader (Ada) posts every form, so that only the values decide the answer.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import quote, urlsplit

import pytest
from fastapi import FastAPI

from app.auth.links import service as member_links
from app.clock import FakeClock
from app.drug_warnings.reports.models import ConcernReport
from app.drug_warnings.warnings.models import DrugWarning
from app.input_guard import has_forbidden_characters
from app.state import AppState
from tests.factories import Factory, alert_body
from tests.personal_data import NATIONAL_ID
from tests.scenario import Scenario
from tests.staff_auth import browser_client, csrf_of
from tests.web.test_case_pages import open_case, signed_in
from tests.web.test_leader_overview import raise_cluster, start_warnings
from tests.web.test_warning_pages import CONCERN_TEXT, WARNING_TEXT, csrf, rows, the_signal

ODD = [
    "\x00",
    "tekst\x00midt i",
    "\x1b[31m",
    "\x7f",
    "\u202eomvendt",
    "\ufeff",
    "a" * 5000,
    "../../etc/passwd",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "%00",
    "😀" * 300,
]


@pytest.mark.parametrize("odd", ODD, ids=range(len(ODD)))
async def test_odd_bytes_in_every_field_are_a_page_never_a_500(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock, odd: str, scenario: Scenario
) -> None:
    team = await factory.team()
    warner = await start_warnings(scenario)
    await raise_cluster(warner)
    signal = str((await the_signal(state)).id)
    case_id = await open_case(factory, state, clock, team)
    async with browser_client(app) as ada:
        await signed_in(ada, state, clock, team, 0)
        token = await csrf(ada)
        posts: list[tuple[str, dict[str, str]]] = [
            ("/a/concerns", {"description": odd}),
            ("/a/concerns", {"description": CONCERN_TEXT, "substances": odd}),
            ("/a/concerns", {"description": CONCERN_TEXT, "observed_at": odd}),
            ("/a/warnings", {"signal_id": signal, "text": odd, "valid_days": "14"}),
            ("/a/warnings", {"signal_id": signal, "text": WARNING_TEXT, "valid_days": odd}),
            ("/a/warnings", {"signal_id": odd, "text": WARNING_TEXT, "valid_days": "14"}),
            ("/a/warnings", {"report_id": odd, "text": WARNING_TEXT, "valid_days": "14"}),
            (f"/a/signals/{signal}/dismiss", {"note": odd}),
            (f"/a/warnings/{uuid.uuid4()}/approve", {"confirm": odd}),
            (f"/a/warnings/{uuid.uuid4()}/review", {"note": odd}),
            (f"/a/cases/{case_id}/steps/reach", {"action": odd}),
            (f"/a/cases/{case_id}/steps/reach", {"action": "done", "text": odd}),
            (f"/a/cases/{case_id}/details", {}),
            ("/a/concerns", {"description": CONCERN_TEXT, "csrf": odd}),
            ("/a/access-report", {"national_id": odd}),
            ("/a/access-report", {"national_id": NATIONAL_ID, "reason": odd}),
        ]
        for path, fields in posts:
            answer = await ada.post(path, data={"csrf": token, **fields})
            assert answer.status_code < 500, (path, fields, answer.status_code)
        quoted = quote(odd, safe="")  # as a browser would send it
        for path in (
            f"/a/warnings/new?signal={quoted}",
            f"/a/warnings/new?report={quoted}",
            f"/a/concerns/{quoted}",
            f"/a/cases/{quoted}",
            f"/a/warnings/{quoted}/edit",
            f"/a/statistics?period={quoted}",
            f"/a/statistics/csv?period={quoted}",
            f"/a/statistics/report?period={quoted}",
        ):
            answer = await ada.get(path)
            assert answer.status_code < 500, (path, answer.status_code)
    stored = [r.description for r in await rows(state, ConcernReport)]
    stored += [w.text for w in await rows(state, DrugWarning)]
    assert not [text for text in stored if has_forbidden_characters(text)]


@pytest.mark.parametrize("odd", ["😀", "ø" * 64, "\x00", "a" * 5000], ids=range(4))
async def test_an_odd_csrf_field_on_a_link_page_is_refused_not_a_500(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock, odd: str
) -> None:
    team = await factory.team()
    amk = await factory.api_client()
    alert_id = uuid.UUID(await factory.post_alert(amk, alert_body()))
    async with state.sessions() as session, session.begin():
        link = member_links.mint(
            session,
            alert_id=alert_id,
            member_id=team.member_ids[0],
            now=clock.now(),
            lifetime=timedelta(hours=1),
            public_base_url="https://odvarsel.test",
        )
    path = urlsplit(link).path
    async with browser_client(app) as phone:
        assert (await phone.get(path)).status_code == 200  # the CSRF cookie is set
        for action in ("take", "show", "answer"):
            answer = await phone.post(f"{path}/{action}", data={"csrf": odd})
            assert 400 <= answer.status_code < 500, (action, answer.status_code)


@pytest.mark.parametrize("odd", ODD, ids=range(len(ODD)))
async def test_odd_bytes_in_the_sign_in_forms_are_a_page_never_a_500(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock, odd: str
) -> None:
    team = await factory.team()
    async with browser_client(app) as phone:
        page = await phone.get("/a/s/signin")
        token = csrf_of(page.text)
        for fields in ({"mobile": odd}, {"csrf": odd, "mobile": "+4791234567"}):
            answer = await phone.post("/a/s/signin", data={"csrf": token, **fields})
            assert answer.status_code < 500, (fields, answer.status_code)
        for path in (f"/a/s/{quote(odd, safe='')}", "/a/s/AbCdEfGh12345678"):
            answer = await phone.post(path, data={"csrf": odd, "team_id": odd})
            assert answer.status_code < 500, (path, answer.status_code)
        await signed_in(phone, state, clock, team, 1)
        answer = await phone.post("/a/s/signout", data={"csrf": odd})
        assert answer.status_code < 500
