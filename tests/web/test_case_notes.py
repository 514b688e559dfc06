"""A step's note on the case pages: the GET says only that there is one; its text comes with
the person's data (the POST showing, for those with a work need); and the page's own short
text is refused with the person's name, as the API refuses it.

The team: Ada (leader), Bo and Cy. Bo takes the alert (the example alert: Ola Nordmann) and
owns the case; Cy has no part in it.
"""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI

from app.clock import FakeClock
from app.state import AppState
from tests.factories import Factory, TeamSetup
from tests.staff_auth import browser_client, csrf_of
from tests.web.test_case_details import show
from tests.web.test_case_pages import open_case, session_token, signed_in, step_section, step_state

NOTE = "Møtt på Stasjonen, ønsker hjelp med bolig"
EXISTS = "Notat finnes"


async def record_note(
    http: httpx.AsyncClient, state: AppState, clock: FakeClock, team: TeamSetup, case_id: uuid.UUID
) -> None:
    """Bo records the step "reach" with `NOTE`, through the case API with his session."""
    token = await session_token(state, clock, team, 1)
    recorded = await http.post(
        f"/v1/cases/{case_id}/steps/reach/records",
        json={"action": "done", "note": NOTE},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert recorded.status_code == 200, recorded.text


async def test_the_page_says_a_note_exists_and_shows_it_with_the_persons_data(
    app: FastAPI, http: httpx.AsyncClient, factory: Factory, state: AppState, clock: FakeClock
) -> None:
    team = await factory.team()
    case_id = await open_case(factory, state, clock, team)
    await record_note(http, state, clock, team, case_id)

    async with browser_client(app) as bo:
        await signed_in(bo, state, clock, team, 1)
        page = await bo.get(f"/a/cases/{case_id}")
        reach = step_section(page.text, "reach")
        assert EXISTS in reach and NOTE not in page.text, "the GET shows no note's text"
        assert EXISTS not in step_section(page.text, "assess")
        shown = await show(bo, case_id)
        assert shown.status_code == 200, shown.text
        reach = step_section(shown.text, "reach")
        assert NOTE in reach and EXISTS not in reach

    async with browser_client(app) as cy:
        await signed_in(cy, state, clock, team, 2)
        page = await cy.get(f"/a/cases/{case_id}")
        assert EXISTS in step_section(page.text, "reach") and NOTE not in page.text
        refused = await show(cy, case_id)
        assert refused.status_code == 403 and NOTE not in refused.text


async def test_the_pages_text_with_the_persons_name_is_refused(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock
) -> None:
    team = await factory.team()
    case_id = await open_case(factory, state, clock, team)
    async with browser_client(app) as bo:
        await signed_in(bo, state, clock, team, 1)
        page = await bo.get(f"/a/cases/{case_id}")
        refused = await bo.post(
            f"/a/cases/{case_id}/steps/reach",
            data={"csrf": csrf_of(page.text), "action": "done", "text": "Snakket med Nordmann"},
        )
        assert refused.status_code == 422
        error = step_section(refused.text, "reach")
        assert 'id="record-error"' in error
        assert "Nordmann" not in refused.text, "the refusal does not echo the name"
    assert await step_state(state, case_id, "reach") == ("open", None)
