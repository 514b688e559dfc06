"""Acting on drug warnings in a real browser, on a phone: the leader drafts a warning from a
cluster signal, approves it, and the SMS reaches the contact (fake Twilio); a member files a
concern report (after a refusal that keeps the text), which the leader then sees. The pages
have no JavaScript: the leader's run is made with it on and off."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.async_api import Page, expect

from app.auth.staff.security import SESSION_COOKIE
from app.clock import FakeClock
from app.state import AppState
from devtools.fake_twilio import FakeTwilio
from tests.browser.conftest import shoot, with_and_without_js
from tests.factories import Factory, TeamSetup
from tests.personal_data import NAME, NATIONAL_ID, PHONE_TYPED, personal_body
from tests.scenario import Scenario
from tests.web.test_case_pages import session_token
from tests.web.test_leader_overview import raise_cluster, start_warnings
from tests.web.test_warning_pages import (
    CONCERN_TEXT,
    CONTACT,
    SECOND_CONTACT,
    WARNING_TEXT,
    the_signal,
    until,
    with_contacts,
)


async def sign_in(
    page: Page, base_url: str, state: AppState, clock: FakeClock, team: TeamSetup, index: int
) -> None:
    """Member `index` of `team` is signed in on `page` (the session cookie, as after sign-in)."""
    token = await session_token(state, clock, team, index)
    host = urlsplit(base_url).hostname
    assert host is not None
    await page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": token, "domain": host, "path": "/a"}]
    )


@with_and_without_js
async def test_the_leader_drafts_and_approves_a_warning_and_the_contact_gets_the_sms(
    factory: Factory,
    state: AppState,
    clock: FakeClock,
    fake_twilio: FakeTwilio,
    scenario: Scenario,
    base_url: str,
    page: Page,
) -> None:
    team = await factory.team()  # Ada leads Fredrikstad's team
    warner = await start_warnings(scenario)
    await with_contacts(factory)
    await raise_cluster(warner, body=personal_body)  # the alerts name a person
    signal = await the_signal(state)
    await sign_in(page, base_url, state, clock, team, 0)

    await page.goto("/a/cases")
    signals = page.locator("#overview-signals")
    await expect(signals.locator(".signal")).to_contain_text("3 overdoser innen 6 timer")
    await signals.scroll_into_view_if_needed()
    await shoot(page, "1-signal", full_page=False)
    await signals.get_by_role("link", name="Lag varsel").click()
    await expect(page).to_have_url(f"{base_url}/a/warnings/new?signal={signal.id}")
    await expect(page.get_by_role("heading", name="Lag varsel")).to_be_visible()

    # A name from the cluster's alerts is refused, and the text is kept to correct.
    text = page.get_by_label("Teksten i varselet")
    surname = NAME.split()[-1]
    await text.fill(f"Overdoser hos {surname} i sentrum")
    await page.get_by_role("button", name="Lag utkast").click()
    await expect(page.locator("#warning-error")).to_contain_text("navn fra et av varslene")
    await expect(text).to_have_value(f"Overdoser hos {surname} i sentrum")
    await shoot(page, "2-refused")

    await text.fill(WARNING_TEXT)
    await page.get_by_label("Dager varselet skal gjelde").fill("14")
    await shoot(page, "3-draft-form")
    await page.get_by_role("button", name="Lag utkast").click()
    await expect(page).to_have_url(f"{base_url}/a/cases?done=drafted#done")
    await expect(page.locator("#done")).to_contain_text("Utkastet er lagret")
    draft = page.locator("#drafts > li")
    await expect(draft).to_have_count(1)
    sms = f"Rusvarsel fra Fredrikstad, gjelder til {until(clock, 14)}: {WARNING_TEXT}"
    await expect(draft.locator(".sms-preview")).to_have_text(sms)
    await expect(draft).to_contain_text("Hvem får varselet")
    boxes = draft.locator('input[name="recipient"]')
    await expect(boxes).to_have_count(2)
    for i in range(2):  # suggested for a cluster: ticked
        await expect(boxes.nth(i)).to_be_checked()
    await expect(page.locator("#no-signals")).to_be_visible()
    await draft.scroll_into_view_if_needed()
    await shoot(page, "4-draft", full_page=False)
    assert [m for m in fake_twilio.messages() if m.to == CONTACT] == [], "a draft warns nobody"

    await draft.get_by_label("Jeg har lest SMS-en").check()
    await draft.get_by_role("button", name="Godkjenn og send").click()
    await expect(page).to_have_url(f"{base_url}/a/cases?done=approved#done")
    await expect(page.locator("#done")).to_contain_text("Varselet er godkjent")
    await expect(page.locator("#in-force")).to_contain_text(WARNING_TEXT)
    await expect(page.locator("#no-drafts")).to_be_visible()
    await shoot(page, "5-approved")

    await scenario.settle()
    warned = [m for m in fake_twilio.messages() if m.to in (CONTACT, SECOND_CONTACT)]
    assert sorted(m.to for m in warned) == [CONTACT, SECOND_CONTACT]
    for message in warned:
        assert message.body == sms
        for personal in (NAME, *NAME.split(), NATIONAL_ID, PHONE_TYPED):
            assert personal not in message.body


async def test_a_member_files_a_concern_report_and_the_leader_sees_it(
    factory: Factory,
    state: AppState,
    clock: FakeClock,
    base_url: str,
    page_without_js: Page,
    page: Page,
) -> None:
    team = await factory.team()  # Ada leads; Bo is a member
    bo = page_without_js
    await sign_in(bo, base_url, state, clock, team, 1)
    await bo.goto("/a/cases")
    await bo.get_by_role("link", name="Meld bekymring om farlig stoff").click()
    await expect(bo.get_by_role("heading", name="Meld bekymring om farlig stoff")).to_be_visible()
    description = bo.get_by_label("Hva har du sett eller hørt?")
    await description.fill(f"Ring {PHONE_TYPED} om stoffet")
    await bo.get_by_label("andre opioider").check()
    await bo.get_by_role("button", name="Send meldingen").click()
    await expect(bo.locator("#concern-error")).to_contain_text("telefonnummer")
    await expect(description).to_have_value(f"Ring {PHONE_TYPED} om stoffet")
    await expect(bo.get_by_label("andre opioider")).to_be_checked()
    await shoot(bo, "1-refused")

    await description.fill(CONCERN_TEXT)
    await shoot(bo, "2-form")
    await bo.get_by_role("button", name="Send meldingen").click()
    await expect(bo.get_by_role("heading", name="Meldingen er sendt til lederen")).to_be_visible()
    await expect(bo.locator("#filed-description")).to_have_text(CONCERN_TEXT)
    await expect(bo.locator(".facts")).to_contain_text("andre opioider")
    await shoot(bo, "3-filed")

    await sign_in(page, base_url, state, clock, team, 0)
    await page.goto("/a/cases")
    reports = page.locator("#overview-reports")
    await expect(reports.locator(".report")).to_have_count(1)
    await expect(reports.locator(".report")).to_contain_text(CONCERN_TEXT)
    await reports.get_by_role("link", name="Lag varsel").click()
    await expect(page.locator("#source-report")).to_contain_text(CONCERN_TEXT)
    await shoot(page, "4-leader-drafts-from-the-report")
