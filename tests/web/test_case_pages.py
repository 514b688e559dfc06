"""The follow-up case pages of signed-in staff (`/a/cases`): my cases, the leader's overview
with overdue steps first, a case with its steps, recording an outcome (CSRF, PRG), access
(another municipality's case is not found) and the redirect to sign-in without a session.

The team: Ada (leader), Bo and Cy. Bo takes the alerts; the survivor template's first step
("assess") is the leader's, due an hour after the case opens; "reach" is Bo's.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from app.alerts import service as alerts_service
from app.alerts.enums import AckVia
from app.auth.staff import repository as staff_repository
from app.auth.staff import service as staff_service
from app.auth.staff.models import SignInVia
from app.auth.staff.security import SESSION_COOKIE
from app.clock import FakeClock
from app.followup.cases import service as followup
from app.followup.cases.models import FollowupStep
from app.roster.models import Member
from app.state import AppState
from tests.factories import Factory, TeamSetup, alert_body
from tests.staff_auth import browser_client, csrf_of


async def session_token(state: AppState, clock: FakeClock, team: TeamSetup, index: int) -> str:
    """A live session of member `index` of `team` (as the confirm button would start it)."""
    member_id = team.member_ids[index]
    async with state.sessions() as session, session.begin():
        members = await staff_repository.active_members(session, mobile=team.mobiles[member_id])
        member = next(m for m in members if m.member_id == member_id)
        signed_in = staff_service.start_session(
            session,
            member=member,
            via=SignInVia.SMS_LINK,
            now=clock.now(),
            settings=state.settings.staff,
        )
    return signed_in.token


async def signed_in(
    client: httpx.AsyncClient, state: AppState, clock: FakeClock, team: TeamSetup, index: int
) -> httpx.AsyncClient:
    token = await session_token(state, clock, team, index)
    client.cookies.set(SESSION_COOKIE, token, domain="odvarsel.test", path="/a")
    return client


async def open_case(
    factory: Factory,
    state: AppState,
    clock: FakeClock,
    team: TeamSetup,
    *,
    taker: int = 1,
    body_of: Callable[..., dict[str, Any]] = alert_body,
) -> uuid.UUID:
    """An alert (`body_of`, the example alert by default) of an overdose 20 minutes ago in
    Fredrikstad (3107, the team's), taken by member `taker` (Bo): its follow-up case's id."""
    amk = await factory.api_client()
    occurred = (clock.now() - timedelta(minutes=20)).isoformat()
    alert_id = uuid.UUID(await factory.post_alert(amk, body_of(occurred_at=occurred)))
    member_id = team.member_ids[taker]
    async with state.sessions() as session, session.begin():
        member = await session.get(Member, member_id)
        assert await alerts_service.acknowledge(
            session,
            alert_id=alert_id,
            member=member,
            via=AckVia.LINK,
            now=clock.now(),
            cipher=state.cipher,
        )
        case = await followup.open_case_for_alert(
            session,
            alert_id=alert_id,
            taken_by=member_id,
            now=clock.now(),
            cipher=state.cipher,
            public_base_url=state.settings.http.public_base_url,
        )
        assert case is not None
        return case.id


async def step_state(state: AppState, case_id: uuid.UUID, key: str) -> tuple[str, str | None]:
    async with state.sessions() as session:
        step = (
            await session.execute(
                FollowupStep.__table__.select().where(  # type: ignore[attr-defined]
                    FollowupStep.__table__.c.case_id == case_id,  # type: ignore[attr-defined]
                    FollowupStep.__table__.c.key == key,  # type: ignore[attr-defined]
                )
            )
        ).one()
        return step.state, step.outcome


def step_section(html: str, key: str) -> str:
    match = re.search(rf'<section [^>]*id="step-{key}".*?</section>', html, re.S)
    assert match, f"no step {key} on the page"
    return match.group(0)


async def test_a_member_sees_their_case_and_records_an_outcome(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock
) -> None:
    team = await factory.team()
    case_id = await open_case(factory, state, clock, team)
    async with browser_client(app) as bo:
        await signed_in(bo, state, clock, team, 1)
        listed = await bo.get("/a/cases")
        assert listed.status_code == 200, listed.text
        assert f"/a/cases/{case_id}" in listed.text
        assert "Mine saker" in listed.text

        page = await bo.get(f"/a/cases/{case_id}")
        assert page.status_code == 200, page.text
        reach = step_section(page.text, "reach")
        assert "Første kontakt med personen" in reach
        assert "Bo Dahl" in reach
        assert 'value="done"' in reach and 'value="not_applicable"' in reach
        assert page.headers["content-security-policy"]
        assert await step_state(state, case_id, "reach") == ("open", None)  # GET changes nothing

        recorded = await bo.post(
            f"/a/cases/{case_id}/steps/reach",
            data={"csrf": csrf_of(page.text), "action": "done", "text": "Samtale på Stasjonen"},
        )
        assert recorded.status_code == 303
        assert recorded.headers["location"] == f"/a/cases/{case_id}#step-reach", "to the step"
        assert f'action="/a/cases/{case_id}/steps/reach#step-reach"' in page.text
        assert await step_state(state, case_id, "reach") == ("done", "Samtale på Stasjonen")

        again = await bo.get(f"/a/cases/{case_id}")
        reach = step_section(again.text, "reach")
        assert "Gjort" in reach and "Bo Dahl (sykepleier)" in reach
        assert 'name="action"' not in reach  # a resolved step has no buttons

        # Not applicable without a reason is refused, and nothing is stored.
        refused = await bo.post(
            f"/a/cases/{case_id}/steps/od_folder",
            data={"csrf": csrf_of(page.text), "action": "not_applicable"},
        )
        assert refused.status_code == 422
        assert 'id="record-error"' in step_section(refused.text, "od_folder")
        assert await step_state(state, case_id, "od_folder") == ("open", None)


async def test_the_leader_sees_the_overdue_step_first(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock
) -> None:
    team = await factory.team()
    first = await open_case(factory, state, clock, team)
    clock.advance(timedelta(minutes=90))  # the first case's "assess" is overdue now
    second = await open_case(factory, state, clock, team)
    async with browser_client(app) as ada, browser_client(app) as cy:
        await signed_in(ada, state, clock, team, 0)
        page = await ada.get("/a/cases")
        assert page.status_code == 200
        assert page.text.index(f"/a/cases/{first}") < page.text.index(f"/a/cases/{second}")
        assert "1 forfalt" in page.text
        case = await ada.get(f"/a/cases/{first}")
        assert "Forfalt" in step_section(case.text, "assess")
        assert "Forfalt" not in step_section(case.text, "reach")

        # Cy has no part in either case: her list is empty, but she may read a case.
        await signed_in(cy, state, clock, team, 2)
        mine = await cy.get("/a/cases")
        assert f"/a/cases/{first}" not in mine.text and 'id="no-cases"' in mine.text
        assert (await cy.get(f"/a/cases/{first}")).status_code == 200


async def test_another_municipalitys_member_gets_not_found(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock
) -> None:
    team = await factory.team()
    case_id = await open_case(factory, state, clock, team)
    oslo = await factory.team(municipality="0301", name="Oslo team", member_names=("Di", "Ed"))
    async with browser_client(app) as di:
        await signed_in(di, state, clock, oslo, 0)  # Oslo's leader
        page = await di.get(f"/a/cases/{case_id}")
        assert page.status_code == 404
        assert "Første kontakt" not in page.text
        assert f"/a/cases/{case_id}" not in (await di.get("/a/cases")).text
        me = await di.get("/a/s/me")
        posted = await di.post(
            f"/a/cases/{case_id}/steps/reach", data={"csrf": csrf_of(me.text), "action": "done"}
        )
        assert posted.status_code == 404
        assert (await di.get("/a/cases/not-a-case")).status_code == 404
    assert await step_state(state, case_id, "reach") == ("open", None)


async def test_without_a_session_the_pages_send_to_sign_in(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock
) -> None:
    team = await factory.team()
    case_id = await open_case(factory, state, clock, team)
    async with browser_client(app) as nobody:
        for path in ("/a/cases", f"/a/cases/{case_id}"):
            response = await nobody.get(path)
            assert response.status_code == 303
            assert response.headers["location"] == "/a/s/signin"
        posted = await nobody.post(f"/a/cases/{case_id}/steps/reach", data={"action": "done"})
        assert posted.status_code == 303
        assert posted.headers["location"] == "/a/s/signin"
    assert await step_state(state, case_id, "reach") == ("open", None)


async def test_a_post_without_the_csrf_token_is_refused(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock
) -> None:
    team = await factory.team()
    case_id = await open_case(factory, state, clock, team)
    async with browser_client(app) as bo, browser_client(app) as cy:
        await signed_in(bo, state, clock, team, 1)
        await signed_in(cy, state, clock, team, 2)
        cys_page = await cy.get(f"/a/cases/{case_id}")
        for csrf in ("", "0" * 64, csrf_of(cys_page.text)):  # none, forged, another session's
            response = await bo.post(
                f"/a/cases/{case_id}/steps/reach", data={"csrf": csrf, "action": "done"}
            )
            assert response.status_code == 403
    assert await step_state(state, case_id, "reach") == ("open", None)


async def test_a_step_due_at_once_says_why_on_the_page(
    app: FastAPI, factory: Factory, state: AppState, clock: FakeClock
) -> None:
    """The assessment counts from the overdose (20 minutes before the page): its time had
    passed when the team was told, so it is due at once and the page says why."""
    team = await factory.team()
    case_id = await open_case(factory, state, clock, team)
    async with browser_client(app) as bo:
        await signed_in(bo, state, clock, team, 1)
        page = await bo.get(f"/a/cases/{case_id}")
        assert page.status_code == 200, page.text
        why = "straks: fristen var passert da første ansvarlige ble varslet"
        assert why in step_section(page.text, "assess")
        assert why not in step_section(page.text, "reach")
