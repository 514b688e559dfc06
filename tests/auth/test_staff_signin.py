"""Staff sign-in by a one-time SMS link: the SMS, the confirm page that signs nobody in, the
session (the pages' cookie, the API's bearer token), reuse, expiry, unknown and deactivated
numbers, the limits, sign-out; and the access rule `may_see`, table-tested."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from app.api.admin import AdminScope
from app.auth.municipalities import EVERY_MUNICIPALITY
from app.auth.staff import limits, repository, tokens
from app.auth.staff.rules import Access, CaseAccess, LinkState, StaffView, link_state, may_see
from app.auth.staff.texts import signin_text
from app.clock import FakeClock
from app.i18n import LANGUAGES
from app.notify.gsm7 import SINGLE_SEGMENT, is_gsm7, septet_length
from app.roster.teams import service as team_service
from app.roster.teams.schemas import MemberUpdate
from app.state import AppState
from app.tables import metadata
from tests.conftest import START
from tests.factories import Factory, TeamSetup
from tests.problems import assert_problem
from tests.scenario import Scenario
from tests.staff_auth import browser_client, count_rows, csrf_of, signin_sms

SMS_SIGNIN = "/v1/staff/signin/sms"


async def _ask(http: httpx.AsyncClient, mobile: str) -> httpx.Response:
    return await http.post(SMS_SIGNIN, json={"mobile": mobile})


async def _link_for(http: httpx.AsyncClient, state: AppState, mobile: str) -> str:
    response = await _ask(http, mobile)
    assert response.status_code == 202, response.text
    sent = [sms for sms in await signin_sms(state) if sms.to_number == mobile]
    assert sent, "no sign-in SMS"
    return sent[-1].path


async def _sign_in(browser: httpx.AsyncClient, path: str) -> httpx.Response:
    """Open the link and tap the button, as a person would."""
    page = await browser.get(path)
    assert page.status_code == 200, page.text
    return await browser.post(path, data={"csrf": csrf_of(page.text)})


async def _deactivate(state: AppState, clock: FakeClock, team: TeamSetup, index: int) -> None:
    async with state.sessions() as session, session.begin():
        await team_service.set_member_active(
            AdminScope(session, EVERY_MUNICIPALITY, clock.now()),
            team_id=team.team_id,
            member_id=team.member_ids[index],
            active=False,
        )


@pytest.fixture
async def team(factory: Factory) -> TeamSetup:
    return await factory.team()


async def test_the_sms_goes_to_the_members_number_with_a_one_time_link(
    http: httpx.AsyncClient, state: AppState, team: TeamSetup, scenario: Scenario
) -> None:
    mobile = team.mobiles[team.member_ids[1]]
    response = await _ask(http, mobile)
    assert response.status_code == 202
    assert response.json()["link_minutes"] == 15
    [sms] = await signin_sms(state)
    assert sms.to_number == mobile
    assert sms.member_id == team.member_ids[1]
    assert sms.body.startswith("Innlogging i Overdosevarsel: http://127.0.0.1:8000/a/s/")
    assert "15 min" in sms.body
    assert is_gsm7(sms.body) and septet_length(sms.body) <= SINGLE_SEGMENT
    # Only the hash of the token is stored.
    async with state.engine.connect() as connection:
        stored = (await connection.execute(text("SELECT token_hash FROM staff_signin_link"))).all()
    assert [row[0] for row in stored] == [tokens.token_hash(sms.token)]
    assert sms.token not in str(stored)
    # The worker sends it like any SMS (the console backend here).
    await scenario.settle()
    async with state.engine.connect() as connection:
        status = await connection.execute(
            text("SELECT status FROM outbox_message WHERE subject_kind = 'staff_signin'")
        )
        assert status.scalar_one() == "delivered"


def test_the_longest_base_url_still_fits_one_segment() -> None:
    link = tokens.signin_link("https://" + "x" * 25, tokens.new_link_token())
    for language in LANGUAGES:
        body = signin_text(link=link, minutes=60, language=language)
        assert is_gsm7(body) and septet_length(body) <= SINGLE_SEGMENT


def test_link_tokens_carry_at_least_64_random_bits() -> None:
    assert tokens.LINK_TOKEN_LENGTH * 5.95 >= 64
    assert len({tokens.new_link_token() for _ in range(200)}) == 200
    assert tokens.is_session_token(tokens.new_session_token())
    assert not tokens.is_session_token("eyJhbGciOiJIUzI1NiJ9.e30.x")


async def test_opening_the_link_shows_a_confirm_page_and_signs_nobody_in(
    app: FastAPI, http: httpx.AsyncClient, state: AppState, team: TeamSetup
) -> None:
    path = await _link_for(http, state, team.mobiles[team.member_ids[0]])
    async with browser_client(app) as browser:
        for _ in range(2):  # a link scanner, then a preview
            page = await browser.get(path)
            assert page.status_code == 200
            assert 'id="confirm"' in page.text and "Ressursteam overdose" in page.text
            assert "odv_staff=" not in page.headers.get("set-cookie", "")
            assert page.headers["content-security-policy"].startswith("default-src 'none'")
            assert page.headers["referrer-policy"] == "no-referrer"
        head = await browser.head(path)
        assert head.status_code == 200
    assert await count_rows(state, "staff_session") == 0
    async with state.engine.connect() as connection:
        used = (await connection.execute(text("SELECT used_at FROM staff_signin_link"))).all()
    assert used == [(None,)]


async def test_the_confirm_button_signs_in_with_a_scoped_cookie_and_me_works(
    app: FastAPI, http: httpx.AsyncClient, state: AppState, team: TeamSetup
) -> None:
    path = await _link_for(http, state, team.mobiles[team.member_ids[0]])
    async with browser_client(app) as browser:
        response = await _sign_in(browser, path)
        assert response.status_code == 303
        assert response.headers["location"] == "/a/cases", "the member lands on their cases"
        cookie = next(
            c for c in response.headers.get_list("set-cookie") if c.startswith("odv_staff=")
        )
        attributes = {part.strip().lower() for part in cookie.split(";")}
        assert {"secure", "httponly", "samesite=strict", "path=/a"} <= attributes
        assert "max-age=43200" in attributes
        cases = await browser.get("/a/cases")
        assert cases.status_code == 200, cases.text
        assert 'href="/a/concerns/new"' in cases.text, "the concern report is one tap away"
        assert 'id="overview-signals"' in cases.text, "the leader's overview is on the page"
        assert 'href="/a/s/me"' in cases.text, "and who is signed in, with sign-out"
        me_page = await browser.get("/a/s/me")
        assert me_page.status_code == 200
        assert "Ada Lund" in me_page.text and "Leder" in me_page.text
        assert 'href="/a/cases"' in me_page.text and 'href="/a/concerns/new"' in me_page.text
        token = browser.cookies["odv_staff"]
    assert token.startswith("ods_")
    me = await http.get("/v1/staff/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["member_id"] == str(team.member_ids[0])
    assert body["team_id"] == str(team.team_id)
    assert body["municipality"] == "3107" and body["municipality_name"] == "Fredrikstad"
    assert body["is_leader"] is True
    assert body["session"]["via"] == "sms_link"
    async with state.engine.connect() as connection:
        stored = (await connection.execute(text("SELECT token_hash FROM staff_session"))).all()
    assert stored == [(tokens.token_hash(token),)]


async def test_a_used_link_is_refused(
    app: FastAPI, http: httpx.AsyncClient, state: AppState, team: TeamSetup
) -> None:
    path = await _link_for(http, state, team.mobiles[team.member_ids[1]])
    async with browser_client(app) as browser:
        page = await browser.get(path)
        csrf = csrf_of(page.text)
        assert (await browser.post(path, data={"csrf": csrf})).status_code == 303
        again = await browser.post(path, data={"csrf": csrf})
        assert again.status_code == 410
        assert "Lenken er brukt" in again.text
        assert (await browser.get(path)).status_code == 410
    token = path.rsplit("/", 1)[1]
    api = await http.post("/v1/staff/signin/link", json={"token": token})
    assert api.status_code == 401
    assert "already used" in api.json()["detail"]
    assert await count_rows(state, "staff_session") == 1


async def test_an_expired_link_is_refused(
    app: FastAPI, http: httpx.AsyncClient, state: AppState, clock: FakeClock, team: TeamSetup
) -> None:
    path = await _link_for(http, state, team.mobiles[team.member_ids[1]])
    async with browser_client(app) as browser:
        page = await browser.get(path)
        clock.advance(timedelta(minutes=15))
        refused = await browser.post(path, data={"csrf": csrf_of(page.text)})
        assert refused.status_code == 410
        assert "utløpt" in refused.text
        assert (await browser.get(path)).status_code == 410
    token = path.rsplit("/", 1)[1]
    assert (await http.post("/v1/staff/signin/link", json={"token": token})).status_code == 401
    assert await count_rows(state, "staff_session") == 0


async def test_a_link_just_before_expiry_still_works(
    app: FastAPI, http: httpx.AsyncClient, state: AppState, clock: FakeClock, team: TeamSetup
) -> None:
    path = await _link_for(http, state, team.mobiles[team.member_ids[1]])
    clock.advance(timedelta(minutes=15) - timedelta(seconds=1))
    async with browser_client(app) as browser:
        assert (await _sign_in(browser, path)).status_code == 303


async def test_an_unknown_number_gets_the_same_answer_and_no_sms(
    http: httpx.AsyncClient, state: AppState, team: TeamSetup
) -> None:
    known = await _ask(http, team.mobiles[team.member_ids[0]])
    unknown = await _ask(http, "+4799887766")
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    assert unknown.headers.get("content-length") == known.headers.get("content-length")
    assert [sms.to_number for sms in await signin_sms(state)] == [team.mobiles[team.member_ids[0]]]
    assert await count_rows(state, "staff_signin_link") == 1


async def test_an_invalid_number_is_a_validation_error(http: httpx.AsyncClient) -> None:
    response = await _ask(http, "12345")
    assert response.status_code == 422
    assert "12345" not in response.text


async def test_a_deactivated_member_cannot_sign_in(
    app: FastAPI, http: httpx.AsyncClient, state: AppState, clock: FakeClock, team: TeamSetup
) -> None:
    mobile = team.mobiles[team.member_ids[2]]
    path = await _link_for(http, state, mobile)  # sent while still active
    await _deactivate(state, clock, team, 2)
    async with browser_client(app) as browser:
        page = await browser.get(path)
        assert page.status_code == 403
        assert 'id="confirm"' not in page.text
    token = path.rsplit("/", 1)[1]
    api = await http.post("/v1/staff/signin/link", json={"token": token})
    assert api.status_code == 403
    # Asking again: the same answer as for anyone, and no SMS.
    assert (await _ask(http, mobile)).status_code == 202
    assert len(await signin_sms(state)) == 1
    assert await count_rows(state, "staff_session") == 0


async def test_deactivating_a_member_ends_their_session(
    app: FastAPI, http: httpx.AsyncClient, state: AppState, clock: FakeClock, team: TeamSetup
) -> None:
    path = await _link_for(http, state, team.mobiles[team.member_ids[2]])
    token = await http.post("/v1/staff/signin/link", json={"token": path.rsplit("/", 1)[1]})
    assert token.status_code == 201, token.text
    headers = {"Authorization": f"Bearer {token.json()['session_token']}"}
    assert (await http.get("/v1/staff/me", headers=headers)).status_code == 200
    await _deactivate(state, clock, team, 2)
    assert (await http.get("/v1/staff/me", headers=headers)).status_code == 401


async def test_asking_for_links_is_limited_per_number_and_per_address(
    http: httpx.AsyncClient, state: AppState, clock: FakeClock, team: TeamSetup
) -> None:
    mobile = team.mobiles[team.member_ids[0]]
    for _ in range(limits.PER_NUMBER):
        assert (await _ask(http, mobile)).status_code == 202
    refused = await _ask(http, mobile)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 15 * 60
    assert len(await signin_sms(state)) == limits.PER_NUMBER
    # An unknown number is limited alike: a 429 tells nothing about who is staff.
    for _ in range(limits.PER_NUMBER):
        assert (await _ask(http, "+4799887766")).status_code == 202
    assert (await _ask(http, "+4799887766")).status_code == 429
    # Per address: walking through numbers stops too.
    statuses = [(await _ask(http, f"+474000{n:04d}")).status_code for n in range(6)]
    assert statuses == [202] * (limits.PER_ADDRESS - 2 * limits.PER_NUMBER) + [429] * (
        6 - (limits.PER_ADDRESS - 2 * limits.PER_NUMBER)
    )
    clock.advance(limits.WINDOW)
    assert (await _ask(http, mobile)).status_code == 202
    assert len(await signin_sms(state)) == limits.PER_NUMBER + 1


async def test_another_address_is_not_limited_by_the_first(
    app: FastAPI, http: httpx.AsyncClient, team: TeamSetup
) -> None:
    for n in range(limits.PER_ADDRESS):
        await _ask(http, f"+474100{n:04d}")
    assert (await _ask(http, team.mobiles[team.member_ids[0]])).status_code == 429
    async with browser_client(app, address="203.0.113.9") as other:
        answer = await other.post(SMS_SIGNIN, json={"mobile": team.mobiles[team.member_ids[0]]})
        assert answer.status_code == 202


async def test_a_session_expires_by_the_clock(
    app: FastAPI, http: httpx.AsyncClient, state: AppState, clock: FakeClock, team: TeamSetup
) -> None:
    path = await _link_for(http, state, team.mobiles[team.member_ids[1]])
    async with browser_client(app) as browser:
        await _sign_in(browser, path)
        assert (await browser.get("/a/s/me")).status_code == 200
        token = browser.cookies["odv_staff"]
        headers = {"Authorization": f"Bearer {token}"}
        clock.advance(timedelta(hours=12) - timedelta(seconds=1))
        assert (await http.get("/v1/staff/me", headers=headers)).status_code == 200
        clock.advance(timedelta(seconds=1))
        expired = await http.get("/v1/staff/me", headers=headers)
        assert expired.status_code == 401
        assert "invalid_token" in expired.headers["www-authenticate"]
        page = await browser.get("/a/s/me")
        assert page.status_code == 303
        assert page.headers["location"] == "/a/s/signin"


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/v1/staff/me"), ("POST", "/v1/staff/signout")]
)
async def test_the_api_takes_the_bearer_token_not_the_pages_cookie(
    app: FastAPI, http: httpx.AsyncClient, state: AppState, team: TeamSetup, method: str, path: str
) -> None:
    """The cookie is the pages' (their forms carry a CSRF field); an API that took it could be
    driven by another site's form in a staff member's browser."""
    link = await _link_for(http, state, team.mobiles[team.member_ids[1]])
    async with browser_client(app) as browser:
        await _sign_in(browser, link)
        token = browser.cookies["odv_staff"]
    cookie = {"Cookie": f"odv_staff={token}"}
    refused = await http.request(method, path, headers=cookie)
    body = assert_problem(refused, 401)
    assert "Authorization: Bearer" in body["detail"]
    assert refused.headers["www-authenticate"] == 'Bearer realm="staff"'
    # The session is untouched (a cookie did not sign it out) and the bearer token works.
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await http.get("/v1/staff/me", headers=bearer)).status_code == 200
    expected = 200 if path.endswith("/me") else 204
    assert (await http.request(method, path, headers=bearer)).status_code == expected


async def test_signing_out_kills_the_session(
    app: FastAPI, http: httpx.AsyncClient, state: AppState, team: TeamSetup
) -> None:
    path = await _link_for(http, state, team.mobiles[team.member_ids[1]])
    async with browser_client(app) as browser:
        await _sign_in(browser, path)
        me_page = await browser.get("/a/s/me")
        token = browser.cookies["odv_staff"]
        forged = await browser.post("/a/s/signout", data={"csrf": "0" * 64})
        assert forged.status_code == 403
        out = await browser.post("/a/s/signout", data={"csrf": csrf_of(me_page.text)})
        assert out.status_code == 303
        assert out.headers["location"] == "/a/s/signin?signed_out=1"
        assert "odv_staff" not in browser.cookies
        assert (await browser.get("/a/s/me")).status_code == 303
    refused = await http.get("/v1/staff/me", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    async with state.engine.connect() as connection:
        signed_out = await connection.execute(text("SELECT signed_out_at FROM staff_session"))
        assert signed_out.scalar_one() is not None


async def test_signing_out_through_the_api(
    http: httpx.AsyncClient, state: AppState, team: TeamSetup
) -> None:
    path = await _link_for(http, state, team.mobiles[team.member_ids[1]])
    session = await http.post("/v1/staff/signin/link", json={"token": path.rsplit("/", 1)[1]})
    assert session.status_code == 201
    assert session.headers["cache-control"] == "no-store"
    headers = {"Authorization": f"Bearer {session.json()['session_token']}"}
    assert (await http.post("/v1/staff/signout", headers=headers)).status_code == 204
    assert (await http.get("/v1/staff/me", headers=headers)).status_code == 401
    assert (await http.post("/v1/staff/signout", headers=headers)).status_code == 401
    assert (await http.get("/v1/staff/me")).status_code == 401


async def test_a_forged_confirm_form_signs_nobody_in(
    app: FastAPI, http: httpx.AsyncClient, state: AppState, team: TeamSetup
) -> None:
    """A cross-site form carries no SameSite=Strict nonce cookie: refused (login CSRF)."""
    path = await _link_for(http, state, team.mobiles[team.member_ids[1]])
    async with browser_client(app) as victim:
        page = await victim.get(path)
        csrf = csrf_of(page.text)
    async with browser_client(app) as elsewhere:
        forged = await elsewhere.post(path, data={"csrf": csrf})
        assert forged.status_code == 403
    assert await count_rows(state, "staff_session") == 0


async def test_unknown_links_are_not_found_and_guessing_is_limited(
    app: FastAPI, state: AppState
) -> None:
    async with browser_client(app) as browser:
        for _ in range(limits.MISSES):
            page = await browser.get("/a/s/" + tokens.new_link_token())
            assert page.status_code == 404
        blocked = await browser.get("/a/s/" + tokens.new_link_token())
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) >= 1
    assert await count_rows(state, "staff_session") == 0


async def test_the_phone_form_sends_the_link(
    app: FastAPI, state: AppState, team: TeamSetup
) -> None:
    mobile = team.mobiles[team.member_ids[0]]
    async with browser_client(app) as browser:
        form = await browser.get("/a/s/signin")
        assert form.status_code == 200 and 'name="mobile"' in form.text
        invalid = await browser.post(
            "/a/s/signin", data={"csrf": csrf_of(form.text), "mobile": "123"}
        )
        assert invalid.status_code == 422 and 'class="error"' in invalid.text
        local_format = "91" + mobile[5:]
        sent = await browser.post(
            "/a/s/signin", data={"csrf": csrf_of(form.text), "mobile": local_format}
        )
        assert sent.status_code == 303
        assert sent.headers["location"] == "/a/s/signin?sent=1"
        unknown = await browser.post(
            "/a/s/signin", data={"csrf": csrf_of(form.text), "mobile": "99887766"}
        )
        assert unknown.status_code == 303
        assert unknown.headers["location"] == sent.headers["location"]
        page = await browser.get(sent.headers["location"])
        assert 'id="sent"' in page.text
        forged = await browser.post("/a/s/signin", data={"csrf": "x", "mobile": mobile})
        assert forged.status_code == 403
    [sms] = await signin_sms(state)
    assert sms.to_number == mobile


async def test_a_person_in_two_teams_chooses_the_team(
    app: FastAPI, http: httpx.AsyncClient, state: AppState, clock: FakeClock, factory: Factory
) -> None:
    fredrikstad = await factory.team(member_names=("Ada Lund",))
    oslo = await factory.team(municipality="0301", name="Oslo team", member_names=("Bo",))
    mobile = fredrikstad.mobiles[fredrikstad.member_ids[0]]
    async with state.sessions() as session, session.begin():
        await team_service.update_member(
            AdminScope(session, EVERY_MUNICIPALITY, clock.now()),
            team_id=oslo.team_id,
            member_id=oslo.member_ids[0],
            update=MemberUpdate(mobile=mobile),
        )
    path = await _link_for(http, state, mobile)
    token = path.rsplit("/", 1)[1]
    choose = await http.post("/v1/staff/signin/link", json={"token": token})
    assert choose.status_code == 409
    assert {t["team_id"] for t in choose.json()["teams"]} == {
        str(fredrikstad.team_id),
        str(oslo.team_id),
    }
    async with browser_client(app) as browser:
        page = await browser.get(path)
        assert 'id="confirm-1"' in page.text and 'id="confirm-2"' in page.text
        assert "Oslo team" in page.text
        signed_in = await browser.post(
            path, data={"csrf": csrf_of(page.text), "team_id": str(oslo.team_id)}
        )
        assert signed_in.status_code == 303
        token = browser.cookies["odv_staff"]
    me = await http.get("/v1/staff/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["municipality"] == "0301"
    assert me.json()["member_id"] == str(oslo.member_ids[0])


def test_the_read_model_matches_the_roster_tables() -> None:
    for table in (repository.member_table, repository.team_table, repository.municipality_table):
        real = metadata.tables[table.name]
        for column in table.columns:
            assert column.name in real.columns, (table.name, column.name)
            assert column.type._type_affinity is real.columns[column.name].type._type_affinity


# Access by work need ------------------------------------------------------------------------

ME, OTHER, LEADER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TEAM = uuid.uuid4()


def _staff(member: uuid.UUID, *, municipality: str = "3107", leader: bool = False) -> StaffView:
    return StaffView(
        member_id=member, team_id=TEAM, municipality_code=municipality, is_leader=leader
    )


@pytest.mark.parametrize(
    ("staff", "case", "expected"),
    [
        # another municipality: nothing, whatever else holds
        (_staff(ME, municipality="0301"), CaseAccess("3107"), Access.NONE),
        (_staff(ME, municipality="0301"), CaseAccess("3107", {ME}, {ME}), Access.NONE),
        (_staff(LEADER, municipality="0301", leader=True), CaseAccess("3107"), Access.NONE),
        # own municipality, not involved: the summary only
        (_staff(ME), CaseAccess("3107"), Access.SUMMARY),
        (_staff(ME), CaseAccess("3107", {OTHER}, {OTHER}), Access.SUMMARY),
        # assigned or paged: personal data
        (_staff(ME), CaseAccess("3107", assigned_member_ids={ME}), Access.PERSONAL),
        (_staff(ME), CaseAccess("3107", paged_member_ids={ME}), Access.PERSONAL),
        (_staff(ME), CaseAccess("3107", [OTHER, ME], []), Access.PERSONAL),
        # the leader sees the municipality
        (_staff(LEADER, leader=True), CaseAccess("3107"), Access.PERSONAL),
        (_staff(LEADER, leader=True), CaseAccess("3107", {OTHER}), Access.PERSONAL),
    ],
)
def test_may_see(staff: StaffView, case: CaseAccess, expected: Access) -> None:
    assert may_see(staff, case) is expected
    assert may_see(staff, case).sees_case is (expected is not Access.NONE)
    assert may_see(staff, case).sees_personal_data is (expected is Access.PERSONAL)


@pytest.mark.parametrize(
    ("minutes_after", "used", "expected"),
    [
        (0, False, LinkState.VALID),
        (14.99, False, LinkState.VALID),
        (15, False, LinkState.EXPIRED),
        (5, True, LinkState.USED),
        (20, True, LinkState.USED),
    ],
)
def test_link_state(minutes_after: float, used: bool, expected: LinkState) -> None:
    expires_at = START + timedelta(minutes=15)
    now = START + timedelta(minutes=minutes_after)
    assert link_state(expires_at=expires_at, used_at=START if used else None, now=now) is expected
