"""The person's data on a follow-up case page in a real browser: the owner taps "Vis
opplysninger" and sees what the consent allows, once logged; a member without a work need
sees neither the button nor the person."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.async_api import Page, expect

from app.auth.staff.security import SESSION_COOKIE
from app.clock import FakeClock
from app.state import AppState
from tests.browser.conftest import shoot
from tests.factories import Factory, TeamSetup
from tests.personal_data import NAME, NATIONAL_ID, log_rows
from tests.web.test_case_details import open_personal_case
from tests.web.test_case_pages import session_token


async def sign_in(
    page: Page, base_url: str, state: AppState, clock: FakeClock, team: TeamSetup, index: int
) -> None:
    host = urlsplit(base_url).hostname
    assert host is not None
    token = await session_token(state, clock, team, index)
    await page.context.clear_cookies()
    await page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": token, "domain": host, "path": "/a"}]
    )


async def test_the_owner_shows_the_person_and_an_uninvolved_member_cannot(
    factory: Factory, state: AppState, clock: FakeClock, base_url: str, page: Page
) -> None:
    team = await factory.team()  # Ada leads; Bo takes the alert; Cy has no part in it
    case_id = await open_personal_case(factory, state, clock, team)

    await sign_in(page, base_url, state, clock, team, 1)
    await page.goto(f"/a/cases/{case_id}")
    await expect(page.locator("#step-reach")).to_be_visible()
    await expect(page.locator("body")).not_to_contain_text(NAME)
    await shoot(page, "1-case")
    await page.get_by_role("button", name="Vis opplysninger").click()
    details = page.locator("#details")
    await expect(details).to_contain_text(NAME)
    await expect(details).to_contain_text(NATIONAL_ID)
    await expect(page.locator("#step-reach")).to_be_visible()
    await shoot(page, "2-details")
    assert [r["actor_id"] for r in await log_rows(state)] == [str(team.member_ids[1])]

    await sign_in(page, base_url, state, clock, team, 2)
    await page.goto(f"/a/cases/{case_id}")
    await expect(page.locator("#summary-only")).to_be_visible()
    await expect(page.get_by_role("button", name="Vis opplysninger")).to_have_count(0)
    await expect(page.locator("body")).not_to_contain_text(NAME)
    await shoot(page, "3-no-work-need")
    assert len(await log_rows(state)) == 1
