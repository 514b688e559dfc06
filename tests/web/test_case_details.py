"""The person's data on a follow-up case page: shown by a POST (CSRF) to those with a work
need (the leader, those assigned, those paged for the alert), each showing one access-log
entry; the GET of the page and everyone else see none and log nothing.

The team: Ada (leader), Bo and Cy, and Eva of the municipality's other team. Bo takes the
alert (the survivor case's owner); the alert carries every personal field (consent given).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from fastapi import FastAPI

from app.auth.links import service as member_links
from app.clock import FakeClock
from app.followup.cases.models import FollowupCase
from app.state import AppState
from tests.factories import Factory, TeamSetup
from tests.personal_data import NAME, NATIONAL_ID, PLACE, log_rows, personal_body
from tests.staff_auth import browser_client, csrf_of
from tests.web.test_case_pages import open_case, signed_in


async def open_personal_case(
    factory: Factory, state: AppState, clock: FakeClock, team: TeamSetup
) -> uuid.UUID:
    """An alert with every personal field, taken by Bo: its case's id."""
    return await open_case(factory, state, clock, team, body_of=personal_body)


async def page_logs(state: AppState, member_id: uuid.UUID) -> list[dict[str, object]]:
    return [r for r in await log_rows(state) if r["actor_id"] == str(member_id)]


async def show(client: httpx.AsyncClient, case_id: uuid.UUID) -> httpx.Response:
    """POST the showing with the session's CSRF token (from the member's own page, which
    has a form whatever they may see)."""
    me = await client.get("/a/s/me")
    return await client.post(f"/a/cases/{case_id}/details", data={"csrf": csrf_of(me.text)})


async def test_the_owner_sees_the_person_once_per_showing_and_the_get_shows_nothing(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock
) -> None:
    team = await factory.team()
    case_id = await open_personal_case(factory, state, clock, team)
    bo = team.member_ids[1]
    async with browser_client(app) as client:
        await signed_in(client, state, clock, team, 1)
        page = await client.get(f"/a/cases/{case_id}")
        assert 'id="show"' in page.text
        assert NAME not in page.text and NATIONAL_ID not in page.text
        assert await page_logs(state, bo) == []

        shown = await show(client, case_id)
        assert shown.status_code == 200, shown.text
        for value in (NAME, NATIONAL_ID, PLACE):
            assert value in shown.text
        assert 'id="step-reach"' in shown.text  # still the case page, steps and all
        entries = await page_logs(state, bo)
        assert len(entries) == 1
        assert entries[0]["channel"] == "page" and "identity" in str(entries[0]["categories"])

        await show(client, case_id)
        assert len(await page_logs(state, bo)) == 2


async def test_the_leader_and_a_paged_member_see_it_an_uninvolved_member_does_not(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock
) -> None:
    team = await factory.team()
    case_id = await open_personal_case(factory, state, clock, team)
    ada, cy = team.member_ids[0], team.member_ids[2]
    async with browser_client(app) as client:
        await signed_in(client, state, clock, team, 2)  # Cy: not assigned, not paged
        page = await client.get(f"/a/cases/{case_id}")
        assert 'id="show"' not in page.text and 'id="summary-only"' in page.text
        refused = await show(client, case_id)
        assert refused.status_code == 403
        assert NAME not in refused.text
        assert await page_logs(state, cy) == []

        case_alert = await followup_alert_id(state, case_id)
        async with state.sessions() as session, session.begin():  # Cy is paged for it
            member_links.mint(
                session,
                alert_id=case_alert,
                member_id=cy,
                now=clock.now(),
                lifetime=timedelta(hours=1),
                public_base_url=state.settings.http.public_base_url,
            )
        assert NAME in (await show(client, case_id)).text
        assert len(await page_logs(state, cy)) == 1

    async with browser_client(app) as client:
        await signed_in(client, state, clock, team, 0)  # Ada, the leader
        assert NAME in (await show(client, case_id)).text
        assert len(await page_logs(state, ada)) == 1


async def test_another_team_and_another_municipality_see_no_person(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock
) -> None:
    team = await factory.team()
    case_id = await open_personal_case(factory, state, clock, team)
    other = await factory.team(
        name="Helsestasjon", receives_alerts=False, member_names=("Eva",), leader=False
    )
    oslo = await factory.team(municipality="0301", name="Oslo team", member_names=("Di",))
    async with browser_client(app) as eva:
        await signed_in(eva, state, clock, other, 0)
        assert (await show(eva, case_id)).status_code == 403
    async with browser_client(app) as di:
        await signed_in(di, state, clock, oslo, 0)
        assert (await di.get(f"/a/cases/{case_id}")).status_code == 404
        me = await di.get("/a/s/me")
        posted = await di.post(f"/a/cases/{case_id}/details", data={"csrf": csrf_of(me.text)})
        assert posted.status_code == 404 and NAME not in posted.text
    assert [r for r in await log_rows(state) if r["channel"] == "page"] == []


async def test_a_showing_without_the_csrf_token_or_a_session_reveals_nothing(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock
) -> None:
    team = await factory.team()
    case_id = await open_personal_case(factory, state, clock, team)
    async with browser_client(app) as bo:
        await signed_in(bo, state, clock, team, 1)
        for csrf in ("", "0" * 64):
            refused = await bo.post(f"/a/cases/{case_id}/details", data={"csrf": csrf})
            assert refused.status_code == 403 and NAME not in refused.text
    async with browser_client(app) as nobody:
        posted = await nobody.post(f"/a/cases/{case_id}/details", data={"csrf": ""})
        assert posted.status_code == 303 and posted.headers["location"] == "/a/s/signin"
    assert [r for r in await log_rows(state) if r["channel"] == "page"] == []


async def followup_alert_id(state: AppState, case_id: uuid.UUID) -> uuid.UUID:
    async with state.sessions() as session:
        case = await session.get(FollowupCase, case_id)
        assert case is not None
        return case.alert_id
