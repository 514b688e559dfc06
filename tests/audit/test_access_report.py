"""The person's access report (issue 22 item 2): who saw their data, for the leader to hand
over. Three staff members of Fredrikstad saw the person's data on the case page (Bo, who
took the alert; Ada, the leader; Cy, paged for it); Bo also saw another person's. The report
lists exactly the three, and nothing of the other person; it is itself logged; a leader of
another municipality gets nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.audit.report import RIGHT
from app.auth.links import service as member_links
from app.auth.scopes import Scope
from app.clock import FakeClock
from app.state import AppState
from tests.factories import Factory, TeamSetup
from tests.personal_data import NATIONAL_ID, log_rows, personal_body
from tests.problems import assert_problem
from tests.staff_auth import browser_client, csrf_of
from tests.web.test_case_details import followup_alert_id, show
from tests.web.test_case_pages import open_case, session_token, signed_in

REPORT = "/v1/audit/access-report"
OTHER_NATIONAL_ID = "01010750160"
SEEN = timedelta(minutes=7)


def other_person(**overrides: Any) -> dict[str, Any]:
    body = personal_body(**overrides)
    body["person"] = {**body["person"], "national_id": OTHER_NATIONAL_ID, "name": "Ola Annen"}
    return body


async def seen_by(
    app: FastAPI, state: AppState, clock: FakeClock, team: TeamSetup, index: int, case_id: uuid.UUID
) -> None:
    """Member `index` shows the case's personal data on its page (one access-log entry), and
    seven minutes pass."""
    async with browser_client(app) as client:
        await signed_in(client, state, clock, team, index)
        shown = await show(client, case_id)
        assert shown.status_code == 200, shown.text
    clock.advance(SEEN)


async def ask(http: httpx.AsyncClient, token: str, body: dict[str, Any]) -> httpx.Response:
    return await http.post(REPORT, json=body, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
async def scenario(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock
) -> tuple[TeamSetup, uuid.UUID]:
    team = await factory.team()
    case_id = await open_case(factory, state, clock, team, body_of=personal_body)
    other_case = await open_case(factory, state, clock, team, body_of=other_person)
    async with state.sessions() as session, session.begin():  # Cy is paged for the alert
        member_links.mint(
            session,
            alert_id=await followup_alert_id(state, case_id),
            member_id=team.member_ids[2],
            now=clock.now(),
            lifetime=timedelta(hours=1),
            public_base_url=state.settings.http.public_base_url,
        )
    for index in (1, 0, 2):  # Bo, Ada, Cy
        await seen_by(app, state, clock, team, index, case_id)
    await seen_by(app, state, clock, team, 1, other_case)  # Bo, the other person
    return team, case_id


def at(entry: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(entry["at"])


async def test_the_report_lists_exactly_the_three_who_saw_the_person(
    scenario: tuple[TeamSetup, uuid.UUID],
    http: httpx.AsyncClient,
    state: AppState,
    clock: FakeClock,
) -> None:
    team, case_id = scenario
    alert_id = await followup_alert_id(state, case_id)
    logged = await log_rows(state)
    about_person = [r for r in logged if uuid.UUID(str(r["alert_id"])) == alert_id]
    assert len(about_person) == 3 and len(logged) == 4
    person = state.hasher.national_id(NATIONAL_ID)
    assert [r["national_id_hash"] for r in about_person] == [person] * 3, "written with it"

    ada = await session_token(state, clock, team, 0)
    response = await ask(http, ada, {"national_id": NATIONAL_ID, "reason": "Sak 2026/17"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["municipality"], report["right"]) == ("3107", RIGHT)
    got = [(e["name"], e["role"], at(e), e["channel"], e["alert_id"]) for e in report["entries"]]
    first = clock.now() - 4 * SEEN
    expected = [
        (name, role, first + i * SEEN, "page", str(alert_id))
        for i, (name, role) in enumerate(
            [("Bo Dahl", "sykepleier"), ("Ada Lund", "leder"), ("Cy Moe", "sykepleier")]
        )
    ]
    assert got == expected
    for entry, row in zip(report["entries"], about_person, strict=True):
        assert entry["legal_basis"] == row["legal_basis"]
        assert {"identity", "contact", "place"} <= set(entry["categories"])
        assert entry["legal_basis_text"].startswith(("samtykke", "helsepersonelloven"))
    assert OTHER_NATIONAL_ID not in response.text and "Ola Annen" not in response.text
    assert NATIONAL_ID not in response.text, "the national id is not echoed"

    # The report is itself an access: the last entry, about the person, by the leader.
    last = (await log_rows(state))[-1]
    assert len(await log_rows(state)) == 5
    assert (last["actor_id"], last["legal_basis"], last["reason"], last["alert_id"]) == (
        str(team.member_ids[0]),
        "innsyn",
        "Sak 2026/17",
        None,
    )
    assert last["national_id_hash"] == state.hasher.national_id(NATIONAL_ID)

    again = (await ask(http, ada, {"national_id": NATIONAL_ID})).json()
    assert [e["legal_basis"] for e in again["entries"]][-1] == "innsyn", "the report is listed"


async def test_a_leader_of_another_municipality_gets_nothing(
    scenario: tuple[TeamSetup, uuid.UUID],
    http: httpx.AsyncClient,
    state: AppState,
    clock: FakeClock,
    factory: Factory,
) -> None:
    oslo = await factory.team(municipality="0301", name="Oslo team", member_names=("Di Holm",))
    di = await session_token(state, clock, oslo, 0)
    response = await ask(http, di, {"national_id": NATIONAL_ID})
    assert response.status_code == 200, response.text
    assert (response.json()["municipality"], response.json()["entries"]) == ("0301", [])
    named = await ask(http, di, {"national_id": NATIONAL_ID, "municipality": "3107"})
    assert_problem(named, 403)


async def test_only_the_leader_or_the_privacy_officer_asks(
    scenario: tuple[TeamSetup, uuid.UUID],
    http: httpx.AsyncClient,
    state: AppState,
    clock: FakeClock,
    factory: Factory,
) -> None:
    team, _ = scenario
    bo = await session_token(state, clock, team, 1)
    assert_problem(await ask(http, bo, {"national_id": NATIONAL_ID}), 403)
    amk = await factory.api_client()
    assert amk.token is not None
    assert_problem(await ask(http, amk.token, {"national_id": NATIONAL_ID}), 403)
    officer = await factory.api_client(scopes=(Scope.PRIVACY_READ,))
    assert officer.token is not None
    answered = await ask(http, officer.token, {"national_id": NATIONAL_ID})
    assert answered.status_code == 200, answered.text
    assert {e["name"] for e in answered.json()["entries"]} == {"Ada Lund", "Bo Dahl", "Cy Moe"}


@pytest.mark.parametrize(
    "reason", [f"Innsyn for {NATIONAL_ID}", "Ring 912 34 567", "sak\x00 2026/1", "ok"]
)
async def test_a_reason_with_the_persons_numbers_or_odd_bytes_is_a_422_naming_it(
    factory: Factory, http: httpx.AsyncClient, state: AppState, clock: FakeClock, reason: str
) -> None:
    """The reason is kept in the access log for years: never the person's numbers in it."""
    team = await factory.team()
    ada = await session_token(state, clock, team, 0)
    before = len(await log_rows(state))
    asked = await ask(http, ada, {"national_id": NATIONAL_ID, "reason": reason})
    problem = assert_problem(asked, 422)
    assert [e["field"] for e in problem["errors"]] == ["reason"]
    assert NATIONAL_ID not in asked.text
    assert len(await log_rows(state)) == before, "nothing was logged"


@pytest.mark.parametrize("national_id", ["24057710036", "2405771003", "abc", ""])
async def test_a_malformed_national_id_is_a_422_naming_the_field(
    app: FastAPI,
    factory: Factory,
    http: httpx.AsyncClient,
    state: AppState,
    clock: FakeClock,
    national_id: str,
) -> None:
    team = await factory.team()
    ada = await session_token(state, clock, team, 0)
    problem = assert_problem(await ask(http, ada, {"national_id": national_id}), 422)
    assert [e["field"] for e in problem["errors"]] == ["national_id"]
    assert await log_rows(state) == []


async def test_the_leader_prints_the_report_from_the_staff_pages(
    scenario: tuple[TeamSetup, uuid.UUID], app: FastAPI, state: AppState, clock: FakeClock
) -> None:
    team, _ = scenario
    before = len(await log_rows(state))
    async with browser_client(app) as ada:
        await signed_in(ada, state, clock, team, 0)
        assert 'id="access-report-link"' in (await ada.get("/a/cases")).text
        form = await ada.get("/a/access-report")
        assert form.status_code == 200 and 'name="national_id"' in form.text
        csrf = csrf_of(form.text)

        refused = await ada.post("/a/access-report", data={"csrf": csrf, "national_id": "123"})
        assert refused.status_code == 422 and 'id="report-error"' in refused.text
        forged = await ada.post(
            "/a/access-report", data={"csrf": "0" * 64, "national_id": NATIONAL_ID}
        )
        assert forged.status_code == 403
        assert len(await log_rows(state)) == before, "nothing searched, nothing logged"

        page = await ada.post("/a/access-report", data={"csrf": csrf, "national_id": NATIONAL_ID})
    assert page.status_code == 200, page.text
    assert page.text.count("<tr>") == 1 + 3, "a header and the three entries"
    for shown in ("Bo Dahl (sykepleier)", "Ada Lund (leder)", "Cy Moe (sykepleier)", RIGHT):
        assert shown in page.text
    assert "Ola Annen" not in page.text and NATIONAL_ID not in page.text
    last = (await log_rows(state))[-1]
    assert (last["actor_id"], last["channel"], last["legal_basis"]) == (
        str(team.member_ids[0]),
        "page",
        "innsyn",
    )

    async with browser_client(app) as bo:
        await signed_in(bo, state, clock, team, 1)
        assert 'id="access-report-link"' not in (await bo.get("/a/cases")).text
        assert (await bo.get("/a/access-report")).status_code == 403
        me = await bo.get("/a/s/me")
        posted = await bo.post(
            "/a/access-report", data={"csrf": csrf_of(me.text), "national_id": NATIONAL_ID}
        )
        assert posted.status_code == 403 and "Ada Lund" not in posted.text
