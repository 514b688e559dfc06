"""Issue 21, nynorsk: the pages of a nynorsk municipality are in nynorsk for a member who chose
no language, in the member's own choice otherwise: the link page behind the SMS and the
signed-in staff pages (app/i18n.py, `spoken`)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from app.clock import FakeClock
from app.state import AppState
from tests.factories import Factory
from tests.scenario import Scenario, page_on_duty
from tests.staff_auth import browser_client
from tests.web.conftest import csrf_of, details_of, headings_of, link_of, take
from tests.web.test_case_pages import open_case, signed_in

STANDARD = "/v1/admin/municipalities/3107/written-standard"


async def nynorsk(factory: Factory) -> None:
    admin = await factory.admin_client()
    put = await factory.http.put(STANDARD, json={"written_standard": "nn"}, headers=admin.headers)
    assert put.status_code == 200, put.text


async def test_the_link_page_of_a_nynorsk_municipality_is_in_nynorsk(
    desk: Scenario, staff: httpx.AsyncClient
) -> None:
    await desk.team()
    await desk.policy(page_on_duty())
    await nynorsk(desk.factory)
    await desk.alert()
    await desk.settle()
    link = link_of(desk, 0)

    before = await staff.get(link)
    assert before.status_code == 200
    assert '<html lang="nn">' in before.text
    assert "Ingen har teke varselet enno." in before.text
    assert "Ingen har tatt" not in before.text

    assert (await take(staff, link)).status_code == 303
    shown = await staff.get(link)
    assert headings_of(shown.text) == [
        "Personen",
        "Kvar det skjedde",
        "Etter hendinga",
        "På staden",
        "Klinisk",
        "Nalokson",
        "Alvorsgrad",
        "Varsla",
    ]
    facts = details_of(shown.text)
    assert facts["Rusmiddel"] == "heroin, benzodiazepin"
    assert facts["Kvar personen er no"] == "heime åleine"
    assert facts["Siste dose nalokson"] == "22.11.2026 kl. 23.52", "Oslo time, as in bokmål"
    assert "Svar til mannskapet" in shown.text and "Kjem, ca." in shown.text

    answered = await staff.post(
        f"{link}/answer", data={"csrf": csrf_of(shown.text), "choice": "coming:20"}
    )
    assert answered.status_code == 303, answered.text
    after = await staff.get(link)
    assert "Sendt til mannskapet: «Kjem, ca. 20 min»" in after.text
    assert 'value="coming:20" class="choice chosen" aria-pressed="true"' in after.text
    await desk.settle()
    [to_crew] = desk.sms_to("+4769000000")
    assert to_crew.startswith("Svar frå Fredrikstad på overdosevarsel "), to_crew
    assert to_crew.endswith(": Kjem, ca. 20 min"), "the crew's answer in nynorsk too"


async def test_the_staff_pages_follow_the_municipality_unless_the_member_chose(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock
) -> None:
    team = await factory.team()
    await nynorsk(factory)
    case_id = await open_case(factory, state, clock, team)
    admin = await factory.admin_client()
    chose = await factory.http.patch(
        f"/v1/admin/teams/{team.team_id}/members/{team.member_ids[2]}",
        json={"language": "nb"},
        headers=admin.headers,
    )
    assert chose.status_code == 200, chose.text

    async with browser_client(app) as bo:
        await signed_in(bo, state, clock, team, 1)
        listed = await bo.get("/a/cases")
        assert listed.status_code == 200, listed.text
        assert '<html lang="nn">' in listed.text and "Sakene mine" in listed.text
        case = await bo.get(f"/a/cases/{case_id}")
        assert "Tilbake til sakene" in case.text and "Ansvarleg" in case.text
        me = await bo.get("/a/s/me")
        assert "Du er logga inn" in me.text

    async with browser_client(app) as cy:
        await signed_in(cy, state, clock, team, 2)
        listed = await cy.get("/a/cases")
        assert '<html lang="nb">' in listed.text and "Mine saker" in listed.text, "Cy chose bokmål"
